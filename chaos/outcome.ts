// The verdict of a chaos run from what was accepted, what the receiver saw and the final states in the
// database. lost: accepted but never delivered (no 2xx) nor failed; stuck: not in a final state at the
// end; duplicates: timers the receiver answered 2xx more than once (delivery is at-least-once).
import { summarize, type Summary } from '../bench/metrics/stats.js';
import type { ReceiverRecord } from './flaky-receiver.js';

export interface ChaosOutcome {
  accepted: number;
  delivered: number;
  failed: number;
  lost: number;
  stuck: number;
  duplicates: number;
  /** first request at the receiver minus fire_at */
  firstAttemptLatenessMs: Summary;
  /** first 2xx at the receiver minus fire_at: includes the retries after injected failures */
  deliveredLatenessMs: Summary;
  lostIds: string[];
  stuckIds: string[];
}

const FINAL = new Set(['delivered', 'failed', 'cancelled']);

export function chaosOutcome(accepted: Map<string, number>, records: Map<string, ReceiverRecord>, states: Map<string, string>): ChaosOutcome {
  const lostIds: string[] = [];
  const stuckIds: string[] = [];
  let delivered = 0;
  let failed = 0;
  let duplicates = 0;
  const firstAttempt: number[] = [];
  const firstDelivered: number[] = [];
  for (const [id, fireAt] of accepted) {
    const record = records.get(id);
    const state = states.get(id);
    if (record) firstAttempt.push(record.firstArrival - fireAt);
    if (record && record.firstDelivered !== null) firstDelivered.push(record.firstDelivered - fireAt);
    if (record && record.delivered > 0) delivered += 1;
    if (record && record.delivered > 1) duplicates += 1;
    if (state === 'failed') failed += 1;
    if (!(record && record.delivered > 0) && state !== 'failed') lostIds.push(id);
    if (!state || !FINAL.has(state)) stuckIds.push(id);
  }
  return {
    accepted: accepted.size,
    delivered,
    failed,
    lost: lostIds.length,
    stuck: stuckIds.length,
    duplicates,
    firstAttemptLatenessMs: summarize(firstAttempt),
    deliveredLatenessMs: summarize(firstDelivered),
    lostIds,
    stuckIds,
  };
}
