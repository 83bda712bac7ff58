// What a claim means for each due timer of a batch: deliver it now (and how), check again later, or drop
// it. The statement itself is the timers table's (common/store/timers).
import type { Queryable } from '../common/db/pool.js';
import { claimTimers } from '../common/store/timers.js';
import type { RetryPolicy } from './retry-policy.js';
import { webhookRequest, type RunOf, type WebhookRequest } from '../common/webhooks/webhook-shape.js';

export interface Claimed {
  kind: 'claimed';
  /** the attempt number within the current series, 1 for the first */
  attempt: number;
  series: number;
  /** not before this instant: the timer's due time or its retry's, as the database has it now */
  notBefore: number | null;
  /** the request to send, from the database (a PATCH may have changed the URL since the message left) */
  request: WebhookRequest;
  timeoutMs: number;
  policy: RetryPolicy;
  /** x-request-id of the POST that created the timer, for the logs */
  requestId: string | null;
  /** the schedule the timer is a run of; null: a one-off timer */
  run: RunOf | null;
  /** the flow-control key its deliveries share, and its owner (whose key it is); null: none */
  flowKey: string | null;
  ownerId: string | null;
  /** where its outcome is told: after a successful delivery, once failed for good (null: nowhere) */
  callbacks: Callbacks;
}

export interface Callbacks {
  success: string | null;
  failure: string | null;
}

/** An outcome already written whose callback may still need its shard row (its writer stopped in between). */
export interface Told {
  outcome: 'delivered' | 'failed';
  series: number;
  url: string;
}

export type ClaimResult =
  | Claimed
  /** another trigger holds the delivery until this instant: check again then */
  | { kind: 'held'; until: number }
  /** the timer (or its retry) is due later than this message says (rescheduled, or a stale copy): fire it then */
  | { kind: 'early'; until: number }
  /** delivered, failed, cancelled, a retry not due yet, or unknown: a duplicate to drop (told: its outcome has a callback) */
  | { kind: 'done'; told?: Told };

export interface ClaimOptions {
  now: number;
  /** the claim lasts the timer's webhook timeout plus this much */
  marginMs: number;
  /** a timer may be claimed this long before it (or its retry) is due (the pollers publish ahead) */
  earlyMs: number;
  defaults: RetryPolicy & { timeoutMs: number };
}

/**
 * claimAttempts(main, ids, options): claims the timers for an attempt (common/store/timers: only one
 * claimant wins a timer) and says what to do with each: one result per id, in order; a repeated id
 * gets 'done'.
 */
export async function claimAttempts(main: Queryable, ids: string[], options: ClaimOptions): Promise<ClaimResult[]> {
  const { now, marginMs, earlyMs, defaults } = options;
  const rows = await claimTimers(main, ids, { now, marginMs, earlyMs, defaultTimeoutMs: defaults.timeoutMs });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const seen = new Set<string>();
  return ids.map((id): ClaimResult => {
    const row = byId.get(id);
    // The same id twice in one batch: only its first message may deliver.
    const first = !seen.has(id);
    seen.add(id);
    if (!row || !first) return { kind: 'done' };
    // The instant this timer is due now: its retry's while retrying, else its own.
    const dueAt = row.next_attempt_ms !== null ? Number(row.next_attempt_ms) : Number(row.fire_at_ms);
    if (row.claimed) {
      const run = row.schedule_id !== null && row.schedule_instant_ms !== null ? { scheduleId: row.schedule_id, instant: Number(row.schedule_instant_ms) } : null;
      return {
        kind: 'claimed',
        attempt: row.attempts,
        series: row.series,
        notBefore: row.state === 'firing' ? null : dueAt,
        request: webhookRequest(row.id, row.url, row, run),
        timeoutMs: row.timeout_ms ?? defaults.timeoutMs,
        policy: {
          maxAttempts: row.max_attempts ?? defaults.maxAttempts,
          backoffMs: row.retry_backoff_ms ?? defaults.backoffMs,
          maxBackoffMs: row.retry_max_backoff_ms ?? defaults.maxBackoffMs,
        },
        requestId: row.request_id,
        run,
        flowKey: row.flow_key,
        ownerId: row.owner_id,
        callbacks: { success: row.callback_url, failure: row.failure_callback_url },
      };
    }
    if (row.state === 'firing' && row.until_ms !== null) return { kind: 'held', until: Number(row.until_ms) };
    if (row.state === 'scheduled' || row.state === 'retrying') return { kind: 'early', until: dueAt };
    const toldUrl = row.state === 'delivered' ? row.callback_url : row.state === 'failed' ? row.failure_callback_url : null;
    if (toldUrl !== null) return { kind: 'done', told: { outcome: row.state as Told['outcome'], series: row.series, url: toldUrl } };
    return { kind: 'done' };
  });
}
