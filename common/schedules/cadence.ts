// The cadence of a recurring schedule: a cron expression in a time zone, or a fixed interval from an
// anchor; which instants it names, and whether a schedule's cron and interval are acceptable.
//
// Cron: 5 fields (seconds 0) or 6 with seconds first, croner's syntax (ranges, steps, lists, JAN-DEC,
// SUN-SAT, L, nicknames such as @daily); a day-of-month and a day-of-week both given match either,
// as in Vixie cron. Croner parses the expression and walks its wall times in UTC; this module turns
// each wall time into an instant in the schedule's zone (zone-time.ts).
//
// Daylight saving: cron fields are wall-clock times in the schedule's zone, read as the `compatible`
// disambiguation of RFC 5545 and the JavaScript Temporal proposal reads them.
// - A wall time the zone skips (clocks go forward) runs shifted forward by the gap, read with the
//   offset before it: "30 2 * * *" in Europe/Berlin on 2026-03-29 (02:00 -> 03:00) runs at 03:30+02:00.
//   A skipped slot that lands on an instant another slot names runs once ("0 * * * *": the 02:00 and
//   03:00 slots are both 01:00Z that night).
// - A wall time the zone repeats (clocks go back) runs once, at its first occurrence: "30 2 * * *" in
//   Europe/Berlin on 2026-10-25 (03:00 -> 02:00) runs at 02:30+02:00, not again at 02:30+01:00, and an
//   hourly or finer cron skips the repeated hour's second pass.
// - Each next instant is strictly after the one before, so a run never repeats and instants stay in order.
// An interval (`every`) is elapsed time, anchor + k * every, and ignores the zone and its changes.
import { Cron } from 'croner';
import { instantOfWall, offsetAt, wallAt, wallExists } from './zone-time.js';

export { isKnownTimeZone, localTime } from './zone-time.js';

export type Cadence =
  | { kind: 'cron'; cron: string; timezone: string }
  /** instants are anchorMs + k * everyMs (elapsed time) */
  | { kind: 'every'; everyMs: number; anchorMs: number };

export const MIN_EVERY_MS = 1000;
export const MAX_EVERY_MS = 366 * 86_400_000;

const DAY_MS = 86_400_000;

// Croner at UTC+0 walks wall times with no zone of its own; 5-or-6 parts keeps the year field out.
// `utcOffset: 0` rather than `timezone: 'UTC'`: the same dates, but croner builds an Intl formatter
// for every date it reads in a named zone, which made each step about twenty times slower.
const cronJob = (cron: string): Cron => new Cron(cron, { mode: '5-or-6-parts', utcOffset: 0, paused: true });

/** null when the cron expression is acceptable, else what is wrong with it, for a 422 naming the field. */
export function cronProblem(cron: string): string | null {
  let job: Cron;
  try {
    job = cronJob(cron);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return `is not a valid cron expression: ${message.replace(/^CronPattern: /, '')}`;
  }
  // Without a year field, the Gregorian calendar repeats every 400 years, and croner looks up to the
  // year 3000: a cron that finds nothing from 1970 never fires ("0 0 30 2 *").
  return job.nextRun(new Date(0)) === null ? 'never fires' : null;
}

const UNIT_MS = { d: DAY_MS, h: 3_600_000, m: 60_000, s: 1000 } as const;
const INTERVAL = /^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$/i;

/**
 * An interval in ms from "90s", "15m", "1h30m", "1h 30m", "2d" (units d, h, m, s, each at most once,
 * largest first) or a number of seconds (ms precision: 1.5 is 1500); null when it is none, or not
 * positive. The caller checks MIN_EVERY_MS..MAX_EVERY_MS.
 */
export function parseEvery(value: string | number): number | null {
  if (typeof value === 'number') return secondsToMs(value);
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return secondsToMs(Number(text));
  const match = INTERVAL.exec(text);
  if (text === '' || match === null) return null;
  const [, d, h, m, s] = match;
  const ms = Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

function secondsToMs(seconds: number): number | null {
  const ms = Math.round(seconds * 1000);
  // Finer than a millisecond is refused rather than rounded (the 1e-6 absorbs binary fractions: 1.001 * 1000 is 1000.9999999999999).
  const whole = Math.abs(ms - seconds * 1000) < 1e-6;
  return Number.isFinite(seconds) && whole && ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** Steps from one instant to the next of a cadence; the cron is parsed once per walk. */
type Step = (afterMs: number) => number | null;

function stepper(cadence: Cadence): Step {
  if (cadence.kind === 'every') {
    const { everyMs, anchorMs } = cadence;
    return (afterMs) => (afterMs < anchorMs ? anchorMs : anchorMs + (Math.floor((afterMs - anchorMs) / everyMs) + 1) * everyMs);
  }
  const job = cronJob(cadence.cron);
  const zone = cadence.timezone;
  return (afterMs) => {
    let wall = firstWallToConsider(zone, afterMs);
    for (;;) {
      // Croner's next wall time is strictly after `wall`; a cron with none before the year 3000 has none.
      const next = job.nextRun(new Date(wall));
      if (next === null) return null;
      wall = next.getTime();
      const at = instantOfWall(zone, wall);
      // A wall time before afterMs in the zone's clock, or a second occurrence of a repeated one, is passed.
      if (at > afterMs) return at;
    }
  };
}

// Walking wall times from the wall time of afterMs finds every later instant, except just after
// clocks went forward: a skipped wall time (02:30 in a 02:00 -> 03:00 gap) runs at an instant (03:30)
// whose own wall time is later than it. When afterMs falls inside that shifted stretch, start from the
// wall time afterMs has with the offset before the gap, which the zone skipped.
function firstWallToConsider(zone: string, afterMs: number): number {
  const now = offsetAt(zone, afterMs);
  const before = offsetAt(zone, afterMs - DAY_MS);
  if (before < now && !wallExists(zone, afterMs + before)) return afterMs + before;
  return wallAt(zone, afterMs);
}

/**
 * The first instant of the cadence strictly after afterMs (epoch ms), or null when there is none (a
 * cron that finds no time before the year 3000). Throws on a cron cronProblem refuses or an unknown zone.
 */
export function nextInstant(cadence: Cadence, afterMs: number): number | null {
  return stepper(cadence)(afterMs);
}

/** Up to `limit` instants in (afterMs, untilMs], in order. */
export function instantsBetween(cadence: Cadence, afterMs: number, untilMs: number, limit: number): number[] {
  const step = stepper(cadence);
  const instants: number[] = [];
  for (let at = afterMs; instants.length < limit;) {
    const next = step(at);
    if (next === null || next > untilMs) break;
    instants.push(next);
    at = next;
  }
  return instants;
}

/** The next `count` instants strictly after afterMs, in order (fewer when the cron runs out). */
export function nextInstants(cadence: Cadence, afterMs: number, count: number): number[] {
  return instantsBetween(cadence, afterMs, Infinity, count);
}
