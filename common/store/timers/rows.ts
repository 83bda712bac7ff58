// The shape of a row of the main database's timers table, as every reader gets it: its type, the
// columns that make it, and the states a timer goes through.
// 'skipped': a schedule's run that did not fire (its previous run was still being delivered, or it was
// missed while the service was down; last_error says which).
// 'held': waiting on its flow-control key (no capacity, or paused), a host's or all deliveries' pause;
// it keeps its place in due order and is released by a trigger when the key has capacity again.
import type { CallbackOutcome, ResponseRecord } from '../../webhooks/callbacks.js';

export const TIMER_STATES = ['scheduled', 'held', 'firing', 'retrying', 'delivered', 'failed', 'cancelled', 'skipped'] as const;

/** A timer a client (or a schedule) made, or a callback telling a timer's or task's outcome. */
export const TIMER_KINDS = ['timer', 'callback'] as const;

export interface TimerRow {
  id: string;
  url: string;
  fire_at: Date;
  created_at: Date;
  state: string;
  attempts: number;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  next_attempt_at: Date | null;
  max_attempts: number | null;
  series: number;
  attempt_log: AttemptEntry[];
  method: string | null;
  headers: Record<string, string> | null;
  body: string | null;
  /** the user whose token created it; null: ownerless */
  owner_id: string | null;
  /** the schedule this timer is a run of, and the instant it runs for; null: a one-off timer */
  schedule_id: string | null;
  schedule_instant: Date | null;
  /** the flow-control key its deliveries share (its owner's); null: none */
  flow_key: string | null;
  /** called after a successful delivery / once it has failed for good; null: none */
  callback_url: string | null;
  failure_callback_url: string | null;
  /** a callback: the timer or task whose outcome it tells, and that outcome; null: not a callback */
  callback_of: string | null;
  callback_outcome: CallbackOutcome | null;
  /** its own retention once finished, in seconds; null: the default of its outcome */
  retention_s: number | null;
  /** when retention may remove it: null while pending */
  expires_at: Date | null;
}

/** One delivery attempt as the trigger recorded it. */
export interface AttemptEntry {
  attempt: number;
  series: number;
  started_at: string;
  duration_ms: number;
  status: number | null;
  error: string | null;
  /** the receiver's answer (status, chosen headers, the first bytes of its body); the newest attempts only */
  response?: ResponseRecord;
}

export const TIMER_COLUMNS = `id, url, fire_at, created_at, state, attempts, last_attempt_at, last_status, last_error, delivered_at,
       next_attempt_at, max_attempts, series, attempt_log, method, headers, body, owner_id, schedule_id, schedule_instant, flow_key,
       callback_url, failure_callback_url, callback_of, callback_outcome, retention_s, expires_at`;
