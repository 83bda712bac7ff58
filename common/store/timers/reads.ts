// Reads of the main database's timers table: one timer, a page of them, the failed ones a replay
// takes, and the counts by state.
import type { Pool, Queryable } from '../../db/pool.js';
import { COUNT_TIMEOUT_MS, countStatesWithin } from '../count-within.js';
import { TIMER_COLUMNS, TIMER_STATES, type TimerRow } from './rows.js';
import { scopeParams, type OwnerScope } from '../owner-scope.js';

/** findTimer(main, id): the timer's row, or null. */
export async function findTimer(main: Pool, id: string): Promise<TimerRow | null> {
  const result = await main.query<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM timers WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
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
    ],
  );
  return result.rows;
}

/** lastRuns(main, scheduleId, limit): a schedule's latest runs, newest first. */
export async function lastRuns(main: Pool, scheduleId: string, limit: number): Promise<TimerRow[]> {
  const result = await main.query<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM timers WHERE schedule_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [scheduleId, limit]);
  return result.rows;
}

/** runInFlight(main, scheduleId, exceptId): whether another run of the schedule is being delivered or waits for a retry. */
export async function runInFlight(main: Queryable, scheduleId: string, exceptId: string): Promise<boolean> {
  const result = await main.query(`SELECT 1 FROM timers WHERE schedule_id = $1 AND id <> $2 AND state IN ('firing', 'retrying') LIMIT 1`, [scheduleId, exceptId]);
  return (result.rowCount ?? 0) > 0;
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

/**
 * countByState(main, timeoutMs): timers per state (0 for a state with none), or null when the count
 * runs past timeoutMs (common/store/count-within.ts).
 */
export function countByState(main: Pool, timeoutMs = COUNT_TIMEOUT_MS): Promise<Record<string, number> | null> {
  return countStatesWithin(main, 'SELECT state, count(*)::bigint AS n FROM timers GROUP BY state', TIMER_STATES, timeoutMs);
}
