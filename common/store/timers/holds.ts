// Writes of the timers table for flow control: a claimed timer held on its flow key instead of going
// out, released in due order once the key allows, and the count of those waiting on a key.
import type { Queryable } from '../../db/pool.js';

export interface HeldTimer {
  id: string;
  /** the attempt its claim had started: undone, the timer did not go out */
  attempt: number;
  /** the flow key (or host, or all deliveries) it waits on */
  heldOn: string;
  /** why, for last_error (a receiver's Retry-After); null: keeps the last */
  reason: string | null;
}

/**
 * holdTimers(main, timers): timers just claimed wait on a flow key instead of going out: 'held', the
 * claim and its attempt undone. Returns how many were held per key (a claim taken over meanwhile holds nothing).
 */
export async function holdTimers(main: Queryable, timers: HeldTimer[]): Promise<Map<string, number>> {
  const result = await main.query<{ held_on: string; n: number }>(
    `WITH held AS (
       UPDATE timers AS t SET state = 'held', held_on = h.held_on, claim_expires_at = NULL, attempts = t.attempts - 1, last_error = coalesce(h.reason, t.last_error)
         FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[]) AS h(id, attempt, held_on, reason)
        WHERE t.id = ANY($1::uuid[]) AND t.id = h.id AND t.state = 'firing' AND t.attempts = h.attempt
        RETURNING t.held_on)
     SELECT held_on, count(*)::int AS n FROM held GROUP BY held_on`,
    [timers.map((t) => t.id), timers.map((t) => t.attempt), timers.map((t) => t.heldOn), timers.map((t) => t.reason)],
  );
  return new Map(result.rows.map((row) => [row.held_on, row.n]));
}

/** A held timer a trigger releases: due again at once (or at its lease's start). */
export interface ReleasedTimer {
  id: string;
  url: string;
  /** epoch ms: its due instant (a retry's: its next attempt) */
  due_ms: number;
}

/**
 * heldInDueOrder(main, heldOn, limit): the first timers waiting on a key in due order, locked until the
 * transaction ends (the key's row is locked first, so two releases of one key never interleave).
 */
export async function heldInDueOrder(main: Queryable, heldOn: string, limit: number): Promise<ReleasedTimer[]> {
  const result = await main.query<ReleasedTimer>(
    `SELECT id, url, extract(epoch FROM coalesce(next_attempt_at, fire_at)) * 1000 AS due_ms
       FROM timers WHERE held_on = $1 AND state = 'held'
      ORDER BY coalesce(next_attempt_at, fire_at), id
      LIMIT $2
      FOR UPDATE`,
    [heldOn, limit],
  );
  return result.rows.map((row) => ({ ...row, due_ms: Number(row.due_ms) }));
}

/** unholdTimers(main, ids): held timers are pending again ('scheduled', or 'retrying' for a retry). */
export async function unholdTimers(main: Queryable, ids: string[]): Promise<void> {
  await main.query(
    `UPDATE timers SET state = CASE WHEN next_attempt_at IS NULL THEN 'scheduled' ELSE 'retrying' END, held_on = NULL
      WHERE id = ANY($1::uuid[]) AND state = 'held'`,
    [ids],
  );
}

/** countHeld(main, heldOn): how many timers wait on a key (the key's own count, when it has drifted). */
export async function countHeld(main: Queryable, heldOn: string): Promise<number> {
  const result = await main.query<{ n: number }>(`SELECT count(*)::int AS n FROM timers WHERE held_on = $1 AND state = 'held'`, [heldOn]);
  return result.rows[0]!.n;
}
