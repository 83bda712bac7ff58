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
