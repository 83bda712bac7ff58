// Writes to the main database's timers table: the consumer's inserts, the trigger's claims and
// outcomes, and the webserver's cancel, reschedule and replay. Every state change is a conditional
// update, so a duplicate or a stale writer changes nothing.
import { prepared, type Pool, type Queryable } from '../../db/pool.js';
import type { IncomingTimer } from '../../messages/timer-message.js';
import { TIMER_COLUMNS, type TimerRow } from './rows.js';
import { expiresAtSql } from '../expiry.js';
import { retryOnDeadlock } from '../partitions.js';
import { ATTEMPTS_WITH_RESPONSE, type CallbackOutcome, type ResponseRecord } from '../../webhooks/callbacks.js';

const incomingColumns = (timers: IncomingTimer[]) => [
  timers.map((t) => t.id),
  timers.map((t) => t.url),
  timers.map((t) => t.fire_at),
  timers.map((t) => t.created_at),
  timers.map((t) => t.max_attempts ?? null),
  timers.map((t) => t.timeout_ms ?? null),
  timers.map((t) => t.retry_backoff_ms ?? null),
  timers.map((t) => t.retry_max_backoff_ms ?? null),
  timers.map((t) => t.method ?? null),
  timers.map((t) => (t.headers ? JSON.stringify(t.headers) : null)),
  timers.map((t) => t.body ?? null),
  timers.map((t) => t.request_id ?? null),
  timers.map((t) => t.owner_id ?? null),
  timers.map((t) => t.schedule_id ?? null),
  timers.map((t) => t.schedule_instant ?? null),
  timers.map((t) => t.flow_control?.key ?? null),
  timers.map((t) => t.callback_url ?? null),
  timers.map((t) => t.failure_callback_url ?? null),
  timers.map((t) => t.callback_of ?? null),
  timers.map((t) => t.callback_outcome ?? null),
  timers.map((t) => t.retention_s ?? null),
];

/**
 * insertTimers(main, timers): inserts the rows that are new (ON CONFLICT DO NOTHING, so a redelivered
 * batch writes nothing twice); returns the ids of the given timers that are still waiting to fire (new
 * or not), which are the ones their shard must hold. A timer already delivered is not handed to a shard
 * again when its message is redelivered. Only when some rows were there already (a redelivery) is their
 * state read, in a second statement.
 */
export async function insertTimers(main: Queryable, timers: IncomingTimer[]): Promise<Set<string>> {
  const inserted = await main.query<{ id: string }>(insertTimersStatement(incomingColumns(timers)));
  const waiting = new Set(inserted.rows.map((row) => row.id));
  const known = timers.filter((t) => !waiting.has(t.id)).map((t) => t.id);
  if (known.length === 0) return waiting;
  const scheduled = await main.query<{ id: string }>(`SELECT id FROM timers WHERE id = ANY($1::uuid[]) AND state = 'scheduled'`, [known]);
  for (const row of scheduled.rows) waiting.add(row.id);
  return waiting;
}

const insertTimersStatement = prepared(
  'timers.insert',
  `INSERT INTO timers (id, url, fire_at, created_at, max_attempts, timeout_ms, retry_backoff_ms, retry_max_backoff_ms, method, headers, body, request_id, owner_id,
                         schedule_id, schedule_instant, flow_key, callback_url, failure_callback_url, callback_of, callback_outcome, retention_s)
     SELECT id, url, to_timestamp(fire_at / 1000.0), to_timestamp(created_at / 1000.0),
            max_attempts, timeout_ms, retry_backoff_ms, retry_max_backoff_ms, method, headers::jsonb, body, request_id, owner_id,
            schedule_id, to_timestamp(schedule_instant / 1000.0), flow_key, callback_url, failure_callback_url, callback_of, callback_outcome, retention_s
       FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::uuid[],
                   $14::uuid[], $15::float8[], $16::text[], $17::text[], $18::text[], $19::uuid[], $20::text[], $21::int[])
         AS t(id, url, fire_at, created_at, max_attempts, timeout_ms, retry_backoff_ms, retry_max_backoff_ms, method, headers, body, request_id, owner_id,
              schedule_id, schedule_instant, flow_key, callback_url, failure_callback_url, callback_of, callback_outcome, retention_s)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
);

export interface ClaimOptions {
  now: number;
  /** the claim lasts the timer's webhook timeout plus this much */
  marginMs: number;
  /** a timer may be claimed this long before it (or its retry) is due (the pollers publish ahead) */
  earlyMs: number;
  /** the webhook timeout of a timer that set none */
  defaultTimeoutMs: number;
}

/** A timer as a claim found it: whether this claim won it, and what an attempt needs. */
export interface ClaimRow {
  id: string;
  claimed: boolean;
  attempts: number;
  series: number;
  state: string;
  until_ms: string | null;
  fire_at_ms: string;
  next_attempt_ms: string | null;
  url: string;
  method: string | null;
  headers: Record<string, string> | null;
  body: string | null;
  max_attempts: number | null;
  timeout_ms: number | null;
  retry_backoff_ms: number | null;
  retry_max_backoff_ms: number | null;
  request_id: string | null;
  schedule_id: string | null;
  schedule_instant_ms: string | null;
  owner_id: string | null;
  flow_key: string | null;
  callback_url: string | null;
  failure_callback_url: string | null;
}

/**
 * claimTimers(main, ids, options): a conditional update, so only one claimant wins a timer. A timer is
 * claimable while scheduled once (nearly) due, while retrying once its next attempt is (nearly) due,
 * or while firing under a claim that has expired (its trigger died mid-delivery). Returns the row of
 * every known timer among the ids, claimed or not (in no order); an unknown id has none.
 */
export async function claimTimers(main: Queryable, ids: string[], options: ClaimOptions): Promise<ClaimRow[]> {
  const { now, marginMs, earlyMs, defaultTimeoutMs } = options;
  const result = await main.query<ClaimRow>(claimTimersStatement([ids, now, marginMs, earlyMs, defaultTimeoutMs]));
  return result.rows;
}

const claimTimersStatement = prepared(
  'timers.claim',
  `WITH claimed AS (
       UPDATE timers
          SET state = 'firing', attempts = attempts + 1,
              claim_expires_at = to_timestamp(($2::float8 + $3::float8 + $4::float8 + coalesce(timeout_ms, $5::int)) / 1000.0)
        WHERE id = ANY($1::uuid[])
          AND ((state = 'scheduled' AND fire_at <= to_timestamp(($2::float8 + $4::float8) / 1000.0))
            OR (state = 'retrying' AND next_attempt_at <= to_timestamp(($2::float8 + $4::float8) / 1000.0))
            OR (state = 'firing' AND claim_expires_at < to_timestamp($2::float8 / 1000.0)))
       RETURNING id, attempts)
     SELECT t.id, c.id IS NOT NULL AS claimed, coalesce(c.attempts, t.attempts) AS attempts, t.series, t.state,
            (extract(epoch FROM t.claim_expires_at) * 1000)::bigint AS until_ms,
            (extract(epoch FROM t.fire_at) * 1000)::bigint AS fire_at_ms,
            (extract(epoch FROM t.next_attempt_at) * 1000)::bigint AS next_attempt_ms,
            t.max_attempts, t.timeout_ms, t.retry_backoff_ms, t.retry_max_backoff_ms, t.url, t.method, t.headers, t.body, t.request_id,
            t.schedule_id, (extract(epoch FROM t.schedule_instant) * 1000)::bigint AS schedule_instant_ms, t.owner_id, t.flow_key,
            t.callback_url, t.failure_callback_url
       FROM timers t LEFT JOIN claimed c ON c.id = t.id
      WHERE t.id = ANY($1::uuid[])`,
);

export interface Outcome {
  id: string;
  attempt: number;
  series: number;
  state: 'delivered' | 'retrying' | 'failed';
  startedAt: number;
  finishedAt: number;
  status: number | null;
  error: string | null;
  /** when state is 'retrying' */
  nextAttemptAt: number | null;
  /** the receiver's answer as the attempt's record keeps it; null: none came */
  response?: ResponseRecord | null;
  /** the callback this outcome makes (made only when the outcome is written); none: no callback */
  callback?: NewCallback | null;
}

/** A callback timer an outcome makes: its id (derived from the outcome), URL, JSON body and the outcome it tells. */
export interface NewCallback {
  id: string;
  url: string;
  body: string;
  outcome: CallbackOutcome;
}

/** A callback made by an outcome, as its shard row needs it. */
export interface MadeCallback {
  id: string;
  url: string;
  fire_at: number;
}

// Only the newest ATTEMPTS_WITH_RESPONSE entries keep the receiver's answer: each new entry takes it
// from the one that falls out of them, so a timer replayed many times keeps a bounded record.
const KEEP_NEWEST_RESPONSES = `CASE WHEN jsonb_array_length(t.attempt_log) >= ${ATTEMPTS_WITH_RESPONSE}
                  THEN t.attempt_log #- ARRAY[(jsonb_array_length(t.attempt_log) - ${ATTEMPTS_WITH_RESPONSE})::text, 'response']
                  ELSE t.attempt_log END`;

// Each outcome's row is found through the primary key (a nested loop over the outcomes). The state
// guard is written `t.state || ''` so that the planner cannot use the state index for it instead: with
// few rows 'firing' in its statistics (they are always few, or stale after a burst's claims), it chose
// a bitmap scan of every firing row for each batch (a 60-outcome batch read 40,000 rows in 32 ms; by
// the primary key, 4 ms). The ids are also given as a list (t.id = ANY), so that the planner reads them
// through the primary key even when stale statistics make a scan of the whole table look cheaper than
// one probe per outcome (statistics taken on an empty table, then a burst).
export const RECORD_OUTCOMES_SQL = `UPDATE timers AS t
        SET state = o.state,
            claim_expires_at = NULL,
            last_attempt_at = to_timestamp(o.started / 1000.0),
            last_status = o.status,
            last_error = o.error,
            delivered_at = CASE WHEN o.state = 'delivered' THEN to_timestamp(o.finished / 1000.0) END,
            next_attempt_at = to_timestamp(o.next / 1000.0),
            expires_at = ${expiresAtSql('o.state', 'to_timestamp(o.finished / 1000.0)', 't.retention_s')},
            attempt_log = ${KEEP_NEWEST_RESPONSES} || jsonb_build_array(o.entry::jsonb)
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::float8[], $5::float8[], $6::int[], $7::text[], $8::float8[], $9::text[], $10::int[])
         AS o(id, attempt, state, started, finished, status, error, next, entry, series)
      WHERE t.id = ANY($1::uuid[]) AND t.id = o.id AND t.state || '' = 'firing' AND t.attempts = o.attempt AND t.series = o.series`;

const recordOutcomesStatement = prepared('timers.record_outcomes', RECORD_OUTCOMES_SQL);

// Outcomes that make callbacks: the callback timers are inserted in the same statement, for the outcomes
// written only (a claimant whose claim was taken over makes none), so an outcome is never kept without
// its callback. A callback already there (the same outcome written before) is not made twice.
const recordOutcomesWithCallbacksStatement = prepared(
  'timers.record_outcomes_with_callbacks',
  `WITH written AS (${RECORD_OUTCOMES_SQL} RETURNING t.id, t.owner_id),
        made AS (
          INSERT INTO timers (id, url, fire_at, created_at, body, owner_id, callback_of, callback_outcome)
          SELECT c.id, c.url, to_timestamp(c.at / 1000.0), to_timestamp(c.at / 1000.0), c.body, w.owner_id, w.id, c.outcome
            FROM unnest($11::uuid[], $12::uuid[], $13::text[], $14::text[], $15::text[], $16::float8[]) AS c(parent, id, url, body, outcome, at)
            JOIN written w ON w.id = c.parent
          ON CONFLICT (id) DO NOTHING
          RETURNING id, url, (extract(epoch FROM fire_at) * 1000)::bigint AS fire_at_ms)
   SELECT id, url, fire_at_ms FROM made`,
);

export function recordOutcomesParams(outcomes: Outcome[]): unknown[] {
  const entries = outcomes.map((o) =>
    JSON.stringify({
      attempt: o.attempt,
      series: o.series,
      started_at: new Date(o.startedAt).toISOString(),
      duration_ms: o.finishedAt - o.startedAt,
      status: o.status,
      error: o.error,
      ...(o.response ? { response: o.response } : {}),
    }),
  );
  return [
    outcomes.map((o) => o.id),
    outcomes.map((o) => o.attempt),
    outcomes.map((o) => o.state),
    outcomes.map((o) => o.startedAt),
    outcomes.map((o) => o.finishedAt),
    outcomes.map((o) => o.status),
    outcomes.map((o) => o.error),
    outcomes.map((o) => o.nextAttemptAt),
    entries,
    outcomes.map((o) => o.series),
  ];
}

/**
 * recordOutcomes(main, outcomes): ends each claimed attempt: its new state, its entry in attempt_log,
 * and the callback it makes. Only the claimant of that attempt writes: a trigger whose claim expired and
 * was taken over does not. Returns the callbacks made, whose shard rows the caller writes.
 */
export async function recordOutcomes(main: Pool, outcomes: Outcome[]): Promise<MadeCallback[]> {
  const calling = outcomes.filter((o) => o.callback);
  if (calling.length === 0) {
    await main.query(recordOutcomesStatement(recordOutcomesParams(outcomes)));
    return [];
  }
  const made = await main.query<{ id: string; url: string; fire_at_ms: string }>(
    recordOutcomesWithCallbacksStatement([
      ...recordOutcomesParams(outcomes),
      calling.map((o) => o.id),
      calling.map((o) => o.callback!.id),
      calling.map((o) => o.callback!.url),
      calling.map((o) => o.callback!.body),
      calling.map((o) => o.callback!.outcome),
      calling.map((o) => o.finishedAt),
    ]),
  );
  return made.rows.map((row) => ({ id: row.id, url: row.url, fire_at: Number(row.fire_at_ms) }));
}

// The expires_at of a timer cancelled (or skipped) now.
const CANCELLED_NOW = expiresAtSql(`'cancelled'`, 'now()', 'retention_s');

// Only a timer waiting for its (next) attempt can still be changed (a held one too: it waits for its key).
const PENDING = `state IN ('scheduled', 'retrying', 'held')`;

/** cancelTimer(main, id): a pending timer becomes 'cancelled' for good; its new row, or null when it was not pending (or not there). */
export async function cancelTimer(main: Pool, id: string): Promise<TimerRow | null> {
  const result = await main.query<TimerRow>(
    `UPDATE timers SET state = 'cancelled', next_attempt_at = NULL, held_on = NULL, expires_at = ${CANCELLED_NOW} WHERE id = $1 AND ${PENDING} RETURNING ${TIMER_COLUMNS}`,
    [id],
  );
  return result.rows[0] ?? null;
}

/**
 * rescheduleTimer(main, id, change): a new due time (the timer is 'scheduled' again, its retries
 * forgotten) and/or a new URL (a retrying timer keeps its next attempt), for a pending timer only. Its
 * new row, or null when it was not pending (or not there).
 */
export async function rescheduleTimer(main: Pool, id: string, change: { fireAt: number | null; url: string | null }): Promise<TimerRow | null> {
  const result = await main.query<TimerRow>(
    `UPDATE timers
        SET url = coalesce($3, url),
            fire_at = coalesce(to_timestamp($2::float8 / 1000.0), fire_at),
            state = CASE WHEN $2::float8 IS NULL THEN state ELSE 'scheduled' END,
            held_on = CASE WHEN $2::float8 IS NULL THEN held_on END,
            next_attempt_at = CASE WHEN $2::float8 IS NULL THEN next_attempt_at END
      WHERE id = $1 AND ${PENDING}
      RETURNING ${TIMER_COLUMNS}`,
    [id, change.fireAt, change.url],
  );
  return result.rows[0] ?? null;
}

/**
 * markReplayed(main, ids, at): those of the ids still failed start a new attempt series (attempts 0,
 * series + 1), retrying at `at`; returns their ids and URLs.
 */
export async function markReplayed(main: Pool, ids: string[], at: number): Promise<Array<{ id: string; url: string }>> {
  const replayed = await retryOnDeadlock(() =>
    main.query<{ id: string; url: string }>(
      `UPDATE timers
        SET state = 'retrying', attempts = 0, series = series + 1, next_attempt_at = to_timestamp($2 / 1000.0), expires_at = NULL
      WHERE id = ANY($1::uuid[]) AND state = 'failed'
      RETURNING id, url`,
      [ids, at],
    ),
  );
  return replayed.rows;
}

export interface SkippedRun {
  id: string;
  attempt: number;
  reason: string;
}

/**
 * skipRuns(main, runs): schedules' runs just claimed end as 'skipped' instead of being delivered (their
 * schedule said so: overlap or catch-up); the reason goes to last_error, the claim's attempt is undone.
 */
export async function skipRuns(main: Queryable, runs: SkippedRun[]): Promise<void> {
  await main.query(
    `UPDATE timers AS t SET state = 'skipped', claim_expires_at = NULL, attempts = t.attempts - 1, last_error = r.reason,
            expires_at = ${expiresAtSql(`'skipped'`, 'now()', 't.retention_s')}
       FROM unnest($1::uuid[], $2::int[], $3::text[]) AS r(id, attempt, reason)
      WHERE t.id = ANY($1::uuid[]) AND t.id = r.id AND t.state = 'firing' AND t.attempts = r.attempt`,
    [runs.map((r) => r.id), runs.map((r) => r.attempt), runs.map((r) => r.reason)],
  );
}

/**
 * cancelScheduledRuns(main, scheduleId): the schedule's runs not yet fired become 'cancelled' (a pause,
 * an edit, a deletion); returns their ids. A run being delivered or retried goes on.
 */
export async function cancelScheduledRuns(main: Queryable, scheduleId: string): Promise<string[]> {
  const result = await main.query<{ id: string }>(`UPDATE timers SET state = 'cancelled', expires_at = ${CANCELLED_NOW} WHERE schedule_id = $1 AND state = 'scheduled' RETURNING id`, [scheduleId]);
  return result.rows.map((row) => row.id);
}
