// Lateness of delivered timers: the receiver's arrival time minus the fire_at the API returned.
import type { Created } from '../load/api-client.js';
import type { Receiver } from '../load/receiver.js';
import { summarize, type Summary } from '../metrics/stats.js';

export interface Lateness {
  summary: Summary;
  delivered: number;
  missing: number;
  early: number;
  minFireAt: number;
  maxFireAt: number;
  lastArrival: number;
}

export function lateness(created: Created[], receiver: Receiver): Lateness {
  const values: number[] = [];
  let missing = 0;
  let early = 0;
  let minFireAt = Infinity;
  let maxFireAt = -Infinity;
  let lastArrival = -Infinity;
  for (const timer of created) {
    minFireAt = Math.min(minFireAt, timer.fireAt);
    maxFireAt = Math.max(maxFireAt, timer.fireAt);
    const at = receiver.arrivals.get(timer.id);
    if (at === undefined) {
      missing++;
      continue;
    }
    lastArrival = Math.max(lastArrival, at);
    if (at < timer.fireAt) early++;
    values.push(at - timer.fireAt);
  }
  return { summary: summarize(values), delivered: values.length, missing, early, minFireAt, maxFireAt, lastArrival };
}

/**
 * Median lateness of each tenth of the timers in fire_at order: flat when each timer pays the same
 * pipeline delay, rising when a stage cannot keep up and a backlog builds.
 */
export function latenessTrend(created: Created[], receiver: Receiver, pick: 'p50' | 'p99' = 'p50', buckets = 10): Array<number | null> {
  const sorted = [...created].sort((a, b) => a.fireAt - b.fireAt);
  const size = Math.ceil(sorted.length / buckets);
  return Array.from({ length: buckets }, (_, b) => {
    const values = sorted.slice(b * size, (b + 1) * size).flatMap((t) => {
      const at = receiver.arrivals.get(t.id);
      return at === undefined ? [] : [at - t.fireAt];
    });
    return summarize(values)[pick];
  });
}

/** Lateness of the timers after the first tenth in fire_at order (the pipeline warmed up). */
export function latenessAfterFirstTenth(created: Created[], receiver: Receiver): Summary {
  const sorted = [...created].sort((a, b) => a.fireAt - b.fireAt);
  return lateness(sorted.slice(Math.floor(sorted.length / 10)), receiver).summary;
}

/** The counts every firing scenario reports beside its percentiles. */
export function deliveryCounts(created: Created[], failed: number, late: Lateness, receiver: Receiver) {
  return {
    created: created.length,
    failed,
    delivered: late.delivered,
    missing: late.missing,
    early: late.early,
    min_ms: late.summary.min,
    p50_ms_by_tenth: latenessTrend(created, receiver),
    p99_ms_by_tenth: latenessTrend(created, receiver, 'p99'),
  };
}
