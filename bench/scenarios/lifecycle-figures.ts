// The lifecycle scenario's arithmetic: the span the seeded timers were issued in, and the report of the
// two steady runs (without and with retention's removal) and of the bytes before and after removal.
import type { LifecycleSnapshot } from '../systems/system.js';
import type { FiringSpan } from './steady.js';

const DAY_MS = 86_400_000;
/** the seeded timers were issued between 20 and 10 days ago, delivered then: all past the delivered ones' retention (7 days) */
export const SEEDED_FROM_DAYS = 20;
export const SEEDED_TO_DAYS = 10;
/** the target: lateness p99 with removal at most this much of the run without it */
export const P99_TOLERANCE = 1.1;

/** The issue instants of the seeded timers: [fromMs, toMs), 20 to 10 days before `nowMs`. */
export function seededSpan(nowMs: number): { fromMs: number; toMs: number } {
  return { fromMs: nowMs - SEEDED_FROM_DAYS * DAY_MS, toMs: nowMs - SEEDED_TO_DAYS * DAY_MS };
}

/** When the seeded parts went: the first poll that found one gone, the first that found none left (epoch ms). */
export interface RemovalTimes {
  sweepingFrom: number;
  firstGoneAt: number | null;
  allGoneAt: number | null;
}

export interface LifecycleInput {
  /** steady lateness p99 (ms) without removal, and with it */
  baselineP99: number | null;
  cleanupP99: number | null;
  /** before seeding, after seeding, after the run with removal */
  empty: LifecycleSnapshot;
  seeded: LifecycleSnapshot;
  after: LifecycleSnapshot;
  removal: RemovalTimes;
  /** when the run with removal fell due */
  span: FiringSpan;
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);

export function lifecycleFigures(input: LifecycleInput) {
  const { removal, span } = input;
  const p99Ratio = ratio(input.cleanupP99, input.baselineP99);
  const since = (at: number | null, from: number) => (at === null ? null : at - from);
  return {
    p99_ms_without_removal: input.baselineP99,
    p99_ms_with_removal: input.cleanupP99,
    p99_ratio: p99Ratio,
    p99_within_10_percent: p99Ratio === null ? null : p99Ratio <= P99_TOLERANCE,
    bytes_before_seeding: input.empty.bytes,
    bytes_seeded: input.seeded.bytes - input.empty.bytes,
    bytes_before_removal: input.seeded.bytes,
    bytes_after_removal: input.after.bytes,
    bytes_retained: input.after.retainedBytes,
    after_to_retained: ratio(input.after.bytes, input.after.retainedBytes),
    seeded_parts: input.seeded.seededParts,
    seeded_parts_left: input.after.seededParts,
    /** from the sweeping's start to the first and to the last seeded part gone */
    removal_first_ms: since(removal.firstGoneAt, removal.sweepingFrom),
    removal_ms: since(removal.allGoneAt, removal.sweepingFrom),
    /** the same instants against the first timer due (negative: before the firing began) */
    removal_first_after_first_due_ms: since(removal.firstGoneAt, span.firstDueAt),
    removal_done_after_first_due_ms: since(removal.allGoneAt, span.firstDueAt),
    firing_ms: span.lastDueAt - span.firstDueAt,
    removal_within_firing: removal.firstGoneAt !== null && removal.allGoneAt !== null && removal.firstGoneAt >= span.firstDueAt && removal.allGoneAt <= span.lastDueAt,
  };
}

export type LifecycleFigures = ReturnType<typeof lifecycleFigures>;
