import { ScheduleRuns } from './schedule-runs.js';

const T = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const mine = new Set(['a', 'b']);

describe('schedule runs as the receiver saw them', () => {
  it('counts one run per (schedule, instant) and its lateness from the first arrival', () => {
    const runs = new ScheduleRuns();
    runs.record('a', iso(T), 'run-1', T + 7);
    runs.record('b', iso(T + 5), 'run-2', T + 9);
    const counts = runs.counts(mine, T, T + 10_000);
    expect(counts).toEqual({ received: 2, deliveries: 2, createdTwice: 0, duplicateDeliveries: 0, latenessMs: [7, 4] });
  });

  it('a run delivered twice under its own id is a duplicate delivery, not a run created twice', () => {
    const runs = new ScheduleRuns();
    runs.record('a', iso(T), 'run-1', T + 7);
    runs.record('a', iso(T), 'run-1', T + 900);
    const counts = runs.counts(mine, T, T + 10_000);
    expect(counts.received).toBe(1);
    expect(counts.deliveries).toBe(2);
    expect(counts.duplicateDeliveries).toBe(1);
    expect(counts.createdTwice).toBe(0);
    expect(counts.latenessMs).toEqual([7]);
  });

  it('one instant of one schedule arriving under two run ids is a run created twice', () => {
    const runs = new ScheduleRuns();
    runs.record('a', iso(T), 'run-1', T + 20);
    runs.record('a', iso(T), 'run-2', T + 3);
    const counts = runs.counts(mine, T, T + 10_000);
    expect(counts.received).toBe(1);
    expect(counts.createdTwice).toBe(1);
    expect(counts.duplicateDeliveries).toBe(0);
    expect(counts.latenessMs).toEqual([3]);
  });

  it('the same instant written differently is the same run', () => {
    const runs = new ScheduleRuns();
    runs.record('a', '2030-01-01T12:00:00Z', 'run-1', T + 1);
    runs.record('a', '2030-01-01T12:00:00.000Z', 'run-2', T + 2);
    expect(runs.counts(mine, T, T + 1).createdTwice).toBe(1);
  });

  it('keeps to the given schedules and the window [from, to)', () => {
    const runs = new ScheduleRuns();
    runs.record('a', iso(T - 1), 'early', T);
    runs.record('a', iso(T), 'first', T + 1);
    runs.record('a', iso(T + 10_000), 'after', T + 10_001);
    runs.record('other', iso(T + 5), 'not-mine', T + 6);
    expect(runs.counts(mine, T, T + 10_000).received).toBe(1);
    expect(runs.lastArrival(mine, T, T + 10_000)).toBe(T + 1);
    expect(runs.deliveredBetween(mine, T, T + 10_001)).toBe(3);
  });

  it('refuses an instant it cannot read', () => {
    const runs = new ScheduleRuns();
    expect(runs.record('a', 'not a date', 'run-1', T)).toBe(false);
    expect(runs.counts(mine, 0, Infinity).received).toBe(0);
  });
});
