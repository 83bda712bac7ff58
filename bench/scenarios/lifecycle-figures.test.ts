import { lifecycleFigures, seededSpan, type LifecycleInput } from './lifecycle-figures.js';

const DAY_MS = 86_400_000;
const MB = 1_048_576;

const input = (over: Partial<LifecycleInput> = {}): LifecycleInput => ({
  baselineP99: 10,
  cleanupP99: 11,
  empty: { bytes: 40 * MB, retainedBytes: 40 * MB, seededParts: 0 },
  seeded: { bytes: 1_040 * MB, retainedBytes: 40 * MB, seededParts: 11 },
  after: { bytes: 60 * MB, retainedBytes: 60 * MB, seededParts: 0 },
  removal: { sweepingFrom: 100_000, firstGoneAt: 101_500, allGoneAt: 103_000 },
  span: { firstDueAt: 101_000, lastDueAt: 111_000 },
  ...over,
});

describe('the lifecycle scenario figures', () => {
  it('issues the seeded timers from 20 to 10 days before now', () => {
    const now = Date.UTC(2026, 11, 8, 12);
    expect(seededSpan(now)).toEqual({ fromMs: now - 20 * DAY_MS, toMs: now - 10 * DAY_MS });
  });

  it('compares the lateness p99 with removal to the one without, against 10 %', () => {
    expect(lifecycleFigures(input()).p99_ratio).toBe(1.1);
    expect(lifecycleFigures(input()).p99_within_10_percent).toBe(true);
    const worse = lifecycleFigures(input({ cleanupP99: 12 }));
    expect(worse.p99_ratio).toBe(1.2);
    expect(worse.p99_within_10_percent).toBe(false);
    // better with removal than without: within, of course
    expect(lifecycleFigures(input({ cleanupP99: 7 })).p99_within_10_percent).toBe(true);
  });

  it('has no ratio without both runs or over a p99 of 0', () => {
    for (const over of [{ baselineP99: null }, { cleanupP99: null }, { baselineP99: 0 }]) {
      const figures = lifecycleFigures(input(over));
      expect(figures.p99_ratio).toBeNull();
      expect(figures.p99_within_10_percent).toBeNull();
    }
  });

  it('tells the seeded bytes, the bytes after removal and their ratio to what is retained', () => {
    const figures = lifecycleFigures(input({ after: { bytes: 66 * MB, retainedBytes: 60 * MB, seededParts: 1 } }));
    expect(figures.bytes_seeded).toBe(1_000 * MB);
    expect(figures.bytes_before_removal).toBe(1_040 * MB);
    expect(figures.bytes_after_removal).toBe(66 * MB);
    expect(figures.bytes_retained).toBe(60 * MB);
    expect(figures.after_to_retained).toBe(1.1);
    expect(figures.seeded_parts).toBe(11);
    expect(figures.seeded_parts_left).toBe(1);
  });

  it('times the removal from the sweeping start and against the firing', () => {
    const figures = lifecycleFigures(input());
    expect(figures.removal_first_ms).toBe(1_500);
    expect(figures.removal_ms).toBe(3_000);
    expect(figures.removal_first_after_first_due_ms).toBe(500);
    expect(figures.removal_done_after_first_due_ms).toBe(2_000);
    expect(figures.firing_ms).toBe(10_000);
    expect(figures.removal_within_firing).toBe(true);
  });

  it('says when the removal was not within the firing, or did not finish', () => {
    // the first part went before the first timer fell due
    expect(lifecycleFigures(input({ removal: { sweepingFrom: 100_000, firstGoneAt: 100_500, allGoneAt: 103_000 } })).removal_within_firing).toBe(false);
    // the last part went after the last timer due
    expect(lifecycleFigures(input({ removal: { sweepingFrom: 100_000, firstGoneAt: 101_500, allGoneAt: 112_000 } })).removal_within_firing).toBe(false);
    const unfinished = lifecycleFigures(input({ removal: { sweepingFrom: 100_000, firstGoneAt: 101_500, allGoneAt: null } }));
    expect(unfinished.removal_ms).toBeNull();
    expect(unfinished.removal_done_after_first_due_ms).toBeNull();
    expect(unfinished.removal_within_firing).toBe(false);
    const none = lifecycleFigures(input({ removal: { sweepingFrom: 100_000, firstGoneAt: null, allGoneAt: null } }));
    expect(none.removal_first_ms).toBeNull();
    expect(none.removal_within_firing).toBe(false);
  });
});
