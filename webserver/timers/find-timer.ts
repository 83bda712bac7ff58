// Reads one timer from the main database's timers table, and waits for a just-accepted one.
import type { Pool } from '../../common/db/pool.js';
import { readWaitingForRecent } from './read-your-writes.js';

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
}

/** One delivery attempt as the trigger recorded it. */
export interface AttemptEntry {
  attempt: number;
  series: number;
  started_at: string;
  duration_ms: number;
  status: number | null;
  error: string | null;
}

export const TIMER_COLUMNS = `id, url, fire_at, created_at, state, attempts, last_attempt_at, last_status, last_error, delivered_at,
       next_attempt_at, max_attempts, series, attempt_log, method, headers, body, owner_id`;

/** findTimer(pool, id): the timer's row, or null. */
export async function findTimer(pool: Pool, id: string): Promise<TimerRow | null> {
  const result = await pool.query<TimerRow>(
    `SELECT ${TIMER_COLUMNS} FROM timers WHERE id = $1`,
    [id],
  );
  return result.rows[0] ?? null;
}

/**
 * Read-your-writes: a timer is answered 201 once the broker holds it, and a consumer writes it to the
 * database a few milliseconds later. A miss on an id issued in the last minute is retried with backoff
 * for up to waitMs, so a GET right after the POST, through any replica, finds the timer.
 */
export function findTimerWaiting(pool: Pool, id: string, waitMs: number, now: () => number): Promise<TimerRow | null> {
  return readWaitingForRecent(id, waitMs, now, () => findTimer(pool, id));
}
