// Wall-clock time in an IANA time zone, from the platform's Intl data: a zone's UTC offset at an
// instant, the instant a wall-clock time names (with RFC 5545's and the Temporal proposal's
// `compatible` reading of the wall times a daylight-saving change skips or repeats), and an instant
// written as local time with its offset. A "wall time" here is a local date and time encoded as the
// epoch ms of that same date and time in UTC, so that a cron iterator working in UTC walks wall times.
const DAY_MS = 86_400_000;

// A formatter per zone, kept because building one costs far more than formatting with it. Intl
// accepts any spelling of a name's case, so the entries are capped rather than trusted to stay few.
const FORMATTERS_KEPT = 1_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= FORMATTERS_KEPT) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows the zone by that IANA name ('UTC' included). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in ms (Europe/Berlin in summer: 7_200_000). */
export function offsetAt(zone: string, ms: number): number {
  // Intl shows whole seconds; the offset is the wall time of that second minus the second.
  const second = Math.floor(ms / 1000) * 1000;
  const field = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const { type, value } of formatter(zone).formatToParts(second)) {
    if (type in field) field[type as keyof typeof field] = Number(value);
  }
  const wall = Date.UTC(field.year, field.month - 1, field.day, field.hour, field.minute, field.second);
  return wall - second;
}

/** The wall time of an instant in the zone. */
export const wallAt = (zone: string, ms: number): number => ms + offsetAt(zone, ms);

/**
 * The instant a wall time names in the zone, read as `compatible` does: a wall time that happens
 * twice (the hour repeated when clocks go back) is its first occurrence, with the offset before the
 * change; a wall time that does not exist (the hour skipped when clocks go forward) is read with the
 * offset before the gap, so it lands as far after the gap's start as it was after the gap's start in
 * wall time (02:30 in a 02:00 -> 03:00 gap is 03:30 with the new offset).
 */
export function instantOfWall(zone: string, wall: number): number {
  // The offsets in force a day either side cover every reading of the wall time, as long as a zone
  // changes its offset at most once in two days (the Temporal polyfill reads them the same way).
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const first = wall - Math.max(before, after);
  const second = wall - Math.min(before, after);
  if (wallAt(zone, first) === wall) return first;
  if (wallAt(zone, second) === wall) return second;
  return wall - before;
}

/** Whether the wall time happens in the zone (false inside a gap when clocks go forward). */
export const wallExists = (zone: string, wall: number): boolean => wallAt(zone, instantOfWall(zone, wall)) === wall;

const pad = (n: number): string => String(n).padStart(2, '0');

/** An instant as local time in a zone with its offset, e.g. "2026-03-29T03:30:00+02:00" (ms only when non-zero). */
export function localTime(ms: number, zone: string): string {
  const offset = offsetAt(zone, ms);
  const iso = new Date(ms + offset).toISOString(); // 2026-03-29T03:30:00.000Z, read as the wall time
  const local = ms % 1000 === 0 ? iso.slice(0, -5) : iso.slice(0, -1);
  const size = Math.abs(offset) / 1000;
  const seconds = size % 60; // offsets with seconds exist only in local mean time, before 1900 or so
  const sign = offset < 0 ? '-' : '+';
  return `${local}${sign}${pad(Math.floor(size / 3600))}:${pad(Math.floor(size / 60) % 60)}${seconds === 0 ? '' : `:${pad(seconds)}`}`;
}
