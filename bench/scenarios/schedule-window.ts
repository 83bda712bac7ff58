// The schedules scenario's time maths: where each schedule's first instant falls, the measured window
// (whole periods of the systems' grid, starting once every schedule exists), and how many runs a
// schedule owes in it.

/** A system's grid of instants: origin + k * periodMs (`every`: the scenario's t0; cron minutes: the epoch). */
export interface Grid {
  originMs: number;
  periodMs: number;
}

/**
 * The first instant of schedule i of `count`: t0 plus its share of one period, so that the schedules'
 * runs fall evenly over the period (count 10,000 and 10 s: 1 ms apart, 1,000 runs/s) instead of all
 * in the same millisecond.
 */
export function firstInstant(t0: number, i: number, count: number, periodMs: number): number {
  return t0 + Math.floor((i * periodMs) / count);
}

/** The measured window: from the first grid instant at or after `notBefore`, `seconds` long. */
export function measuredWindow(grid: Grid, notBefore: number, seconds: number): { start: number; end: number } {
  const k = Math.max(0, Math.ceil((notBefore - grid.originMs) / grid.periodMs));
  const start = grid.originMs + k * grid.periodMs;
  return { start, end: start + seconds * 1000 };
}

/** How many of first + k * periodMs (k >= 0) lie in [start, end). */
export function instantsIn(first: number, periodMs: number, start: number, end: number): number {
  if (end <= start) return 0;
  const from = Math.max(0, Math.ceil((start - first) / periodMs));
  const to = Math.ceil((end - first) / periodMs);
  return Math.max(0, to - from);
}
