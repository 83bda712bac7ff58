// Reads of the main database's timers table: one timer, a page of them, the failed ones a replay
// takes, and the counts by state.
import type { Pool, Queryable } from '../../db/pool.js';
import { COUNT_TIMEOUT_MS, countStatesWithin } from '../count-within.js';
import { TIMER_COLUMNS, TIMER_STATES, type TIMER_KINDS, type TimerRow } from './rows.js';
import { scopeParams, type OwnerScope } from '../owner-scope.js';

export const FIND_TIMER_SQL = `SELECT ${TIMER_COLUMNS} FROM timers WHERE id = $1`;

/** findTimer(main, id): the timer's row, or null: one primary-key probe of the day partition its id was issued on. */
export async function findTimer(main: Pool, id: string): Promise<TimerRow | null> {
  const result = await main.query<TimerRow>(FIND_TIMER_SQL, [id]);
  return result.rows[0] ?? null;
}

/** findCallbacks(main, parentId): the callbacks telling a timer's or a task's outcomes, oldest first. */
export async function findCallbacks(main: Pool, parentId: string): Promise<TimerRow[]> {
  const result = await main.query<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM timers WHERE callback_of = $1 ORDER BY created_at, id`, [parentId]);
  return result.rows;
}

/** findTimerState(main, id): the timer's state, or null when there is no such timer. */
export async function findTimerState(main: Queryable, id: string): Promise<string | null> {
  const found = await main.query<{ state: string }>('SELECT state FROM timers WHERE id = $1', [id]);
  return found.rows[0]?.state ?? null;
}

export interface TimerFilter {
  state?: string | undefined;
  /** a schedule's runs only */
  schedule_id?: string | undefined;
  /** callbacks only, or all but callbacks */
  kind?: (typeof TIMER_KINDS)[number] | undefined;
  /** instants as ISO text; each bound is exclusive */
  due_after?: string | undefined;
  due_before?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
  /** the (created_at, id) of the last row of the previous page */
  cursor?: { created_at: string; id: string } | undefined;
  limit: number;
}

/**
 * listTimers(main, filter, scope): up to filter.limit timers, newest first by (created_at, id), both
 * fixed when a timer is accepted, so that pages joined by a cursor never repeat or skip a row.
 */
export async function listTimers(main: Pool, filter: TimerFilter, scope: OwnerScope = { all: true }): Promise<TimerRow[]> {
  const result = await main.query<TimerRow>(
    `SELECT ${TIMER_COLUMNS} FROM timers
      WHERE ($1::text IS NULL OR state = $1)
        AND ($2::timestamptz IS NULL OR fire_at > $2)
        AND ($3::timestamptz IS NULL OR fire_at < $3)
        AND ($4::timestamptz IS NULL OR created_at > $4)
        AND ($5::timestamptz IS NULL OR created_at < $5)
        AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
        AND ($9::boolean OR owner_id IS NOT DISTINCT FROM $10::uuid)
        AND ($11::uuid IS NULL OR schedule_id = $11)
        AND ($12::text IS NULL OR ($12 = 'callback') = (callback_of IS NOT NULL))
      ORDER BY created_at DESC, id DESC
      LIMIT $8`,
    [
      filter.state ?? null,
      filter.due_after ?? null,
      filter.due_before ?? null,
      filter.created_after ?? null,
      filter.created_before ?? null,
      filter.cursor?.created_at ?? null,
      filter.cursor?.id ?? null,
      filter.limit,
      ...scopeParams(scope),
      filter.schedule_id ?? null,
      filter.kind ?? null,
    ],
  );
  return result.rows;
}

export interface LastOutcome {
  schedule_id: string;
  state: string;
  last_status: number | null;
  schedule_instant: Date | null;
}

/** lastOutcomes(main, scheduleIds): each schedule's latest run that is no longer waiting (none: never ran), one index probe each. */
export async function lastOutcomes(main: Pool, scheduleIds: string[]): Promise<LastOutcome[]> {
  const result = await main.query<LastOutcome>(
    `SELECT s.id AS schedule_id, r.state, r.last_status, r.schedule_instant
       FROM unnest($1::uuid[]) AS s(id)
       CROSS JOIN LATERAL (SELECT state, last_status, schedule_instant FROM timers
                            WHERE schedule_id = s.id AND state <> 'scheduled' ORDER BY created_at DESC, id DESC LIMIT 1) AS r`,
    [scheduleIds],
  );
  return result.rows;
}

/**
 * schedulesWithRunsInFlight(main, scheduleIds, exceptIds): those of the schedules with a run being
 * delivered or waiting for a retry, other than the given runs.
 */
export async function schedulesWithRunsInFlight(main: Queryable, scheduleIds: string[], exceptIds: string[]): Promise<Set<string>> {
  const result = await main.query<{ schedule_id: string }>(
    `SELECT s.id AS schedule_id FROM unnest($1::uuid[]) AS s(id)
      WHERE EXISTS (SELECT 1 FROM timers WHERE schedule_id = s.id AND state IN ('firing', 'retrying') AND id <> ALL($2::uuid[]))`,
    [scheduleIds, exceptIds],
  );
  return new Set(result.rows.map((row) => row.schedule_id));
}

/** waitingAmong(main, ids): those of the timers still waiting to fire, as their shard rows hold them. */
export async function waitingAmong(main: Queryable, ids: string[]): Promise<Array<{ id: string; url: string; fire_at: number }>> {
  const result = await main.query<{ id: string; url: string; fire_at_ms: string }>(
    `SELECT id, url, (extract(epoch FROM fire_at) * 1000)::bigint AS fire_at_ms FROM timers WHERE id = ANY($1::uuid[]) AND state = 'scheduled'`,
    [ids],
  );
  return result.rows.map((row) => ({ id: row.id, url: row.url, fire_at: Number(row.fire_at_ms) }));
}

export interface FailedFilter {
  url_prefix?: string | undefined;
  /** ISO instants: the last attempt at or after failed_after, before failed_before */
  failed_after?: string | undefined;
  failed_before?: string | undefined;
  limit: number;
}

/** findFailed(main, filter, scope): the ids of failed timers matching a filter, the longest-failed first. */
export async function findFailed(main: Pool, filter: FailedFilter, scope: OwnerScope = { all: true }): Promise<string[]> {
  const result = await main.query<{ id: string }>(
    `SELECT id FROM timers
      WHERE state = 'failed'
        AND ($1::text IS NULL OR starts_with(url, $1))
        AND ($2::timestamptz IS NULL OR last_attempt_at >= $2)
        AND ($3::timestamptz IS NULL OR last_attempt_at < $3)
        AND ($5::boolean OR owner_id IS NOT DISTINCT FROM $6::uuid)
      ORDER BY last_attempt_at, id
      LIMIT $4`,
    [filter.url_prefix ?? null, filter.failed_after ?? null, filter.failed_before ?? null, filter.limit, scope.all, scope.all ? null : scope.owner],
  );
  return result.rows.map((r) => r.id);
}

/** failedAmong(main, ids): those of the ids that are failed, with their URLs. */
export async function failedAmong(main: Pool, ids: string[]): Promise<Array<{ id: string; url: string }>> {
  const failed = await main.query<{ id: string; url: string }>(`SELECT id, url FROM timers WHERE id = ANY($1::uuid[]) AND state = 'failed'`, [ids]);
  return failed.rows;
}

/** The states a timer waits or is delivered in; the others are final. */
export const PENDING_TIMER_STATES = ['scheduled', 'held', 'firing', 'retrying'] as const;
const FINISHED_TIMER_STATES = TIMER_STATES.filter((state) => !(PENDING_TIMER_STATES as readonly string[]).includes(state));

// Both halves are ranges of timers_state_created_at (state, created_at DESC, id DESC) in each partition:
// every pending timer, and the finished ones created since $3.
export const COUNT_TIMERS_BY_STATE_SQL = `SELECT state, count(*)::bigint AS n FROM timers WHERE state = ANY($1::text[]) GROUP BY state
     UNION ALL
     SELECT state, count(*)::bigint AS n FROM timers WHERE state = ANY($2::text[]) AND created_at >= $3 GROUP BY state`;

/**
 * countByState(main, finishedSinceMs, timeoutMs): timers per state (0 for a state with none): every
 * pending one, and of the finished states those created since finishedSinceMs; or null when the count
 * runs past timeoutMs (common/store/count-within.ts).
 */
export function countByState(main: Pool, finishedSinceMs: number, timeoutMs = COUNT_TIMEOUT_MS): Promise<Record<string, number> | null> {
  return countStatesWithin(main, COUNT_TIMERS_BY_STATE_SQL, countTimersByStateParams(finishedSinceMs), TIMER_STATES, timeoutMs);
}

export const countTimersByStateParams = (finishedSinceMs: number): unknown[] => [PENDING_TIMER_STATES, FINISHED_TIMER_STATES, new Date(finishedSinceMs)];
