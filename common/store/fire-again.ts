// Puts a timer back through the timer machinery: a row in its shard due at `at`, which a poller
// publishes then. Used by the trigger for a retry, for a timer deferred because its host is at its
// limit, for a timer another trigger holds (re-checked when that claim expires: dropped if it was
// delivered, fired if the holder died) or that is due later than its message said; and by the
// webserver for a rescheduled timer. Overwrites a row still there (its lease too), so a poller
// deleting its published copy cannot remove it. The trigger sends its rows in batches (fireAllAgain).
import type { Pool } from '../db/pool.js';
import type { DueTimer } from '../messages/timer-message.js';

export async function fireAgainAt(shard: Pool, timer: Pick<DueTimer, 'id' | 'url'>, at: number): Promise<void> {
  await fireAllAgain(shard, [{ id: timer.id, url: timer.url, at }]);
}

export interface FireAgain {
  id: string;
  url: string;
  at: number;
}

/**
 * fireAllAgain(shard, rows): fireAgainAt for many timers of one shard in one statement. A timer given
 * twice keeps its last row, as two calls one after the other would leave it.
 */
export async function fireAllAgain(shard: Pool, rows: FireAgain[]): Promise<void> {
  const last = [...new Map(rows.map((row) => [row.id, row])).values()];
  await shard.query(
    `INSERT INTO timers_to_fire (id, url, fire_at)
     SELECT id, url, to_timestamp(at / 1000.0) FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS r(id, url, at)
     ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, fire_at = EXCLUDED.fire_at, lease_until = NULL, leased_by = NULL`,
    [last.map((row) => row.id), last.map((row) => row.url), last.map((row) => row.at)],
  );
}
