// Cancelling and rescheduling a timer that has not fired. The main row changes first; its shard row
// follows. A copy of the old schedule still on its way (held by a poller, or in the queue) is harmless:
// the trigger claims a timer only when the database says it is due, and sends what the database says
// now (trigger/claim-timers.ts), so a cancelled timer never fires and the old due time never fires.
import type { Pool } from '../../common/db/pool.js';
import { shardOf } from '../../common/store/shard.js';
import { fireAgainAt } from '../../common/store/fire-again.js';
import { metrics } from '../../common/observability/metrics.js';
import { TIMER_COLUMNS, type TimerRow } from './find-timer.js';

export type Change = { kind: 'changed'; row: TimerRow } | { kind: 'not_pending'; state: string } | { kind: 'missing' };

// Only a timer waiting for its (next) attempt can still be changed.
const PENDING = `state IN ('scheduled', 'retrying')`;

async function stateOf(main: Pool, id: string): Promise<Change> {
  const found = await main.query<{ state: string }>('SELECT state FROM timers WHERE id = $1', [id]);
  return found.rows[0] ? { kind: 'not_pending', state: found.rows[0].state } : { kind: 'missing' };
}

/** cancelTimer(main, shards, id): a pending timer becomes 'cancelled' for good. */
export async function cancelTimer(main: Pool, shards: Pool[], id: string): Promise<Change> {
  const result = await main.query<TimerRow>(
    `UPDATE timers SET state = 'cancelled', next_attempt_at = NULL WHERE id = $1 AND ${PENDING} RETURNING ${TIMER_COLUMNS}`,
    [id],
  );
  const row = result.rows[0];
  if (!row) return stateOf(main, id);
  metrics.timersCancelled.inc();
  // Tidy only: a poller that still publishes this row finds the timer cancelled and the trigger drops it.
  await shards[shardOf(id, shards.length)]!.query('DELETE FROM timers_to_fire WHERE id = $1', [id]).catch(() => undefined);
  return { kind: 'changed', row };
}

/**
 * rescheduleTimer(main, shards, id, change): a new due time (the timer is 'scheduled' again, its
 * retries forgotten) and/or a new URL (a retrying timer keeps its next attempt). Then the shard row is
 * set to the instant the timer is due now.
 */
export async function rescheduleTimer(main: Pool, shards: Pool[], id: string, change: { fireAt: number | null; url: string | null }): Promise<Change> {
  const result = await main.query<TimerRow>(
    `UPDATE timers
        SET url = coalesce($3, url),
            fire_at = coalesce(to_timestamp($2::float8 / 1000.0), fire_at),
            state = CASE WHEN $2::float8 IS NULL THEN state ELSE 'scheduled' END,
            next_attempt_at = CASE WHEN $2::float8 IS NULL THEN next_attempt_at END
      WHERE id = $1 AND ${PENDING}
      RETURNING ${TIMER_COLUMNS}`,
    [id, change.fireAt, change.url],
  );
  const row = result.rows[0];
  if (!row) return stateOf(main, id);
  await fireAgainAt(shards[shardOf(id, shards.length)]!, row, (row.next_attempt_at ?? row.fire_at).getTime());
  return { kind: 'changed', row };
}
