// Puts a timer back through the timer machinery: a row in its shard due at `at`, which a poller
// publishes then. Used for a retry, for a timer deferred because its host is at its limit, and for a
// timer another trigger holds (re-checked when that claim expires: dropped if it was delivered, fired
// if the holder died). Overwrites a row still there, so a poller deleting its published copy cannot
// remove it.
import type { Pool } from '../common/db.js';
import type { DueTimer } from '../common/timer-message.js';

export async function fireAgainAt(shard: Pool, timer: Pick<DueTimer, 'id' | 'url'>, at: number): Promise<void> {
  await shard.query(
    `INSERT INTO timers_to_fire (id, url, fire_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))
     ON CONFLICT (id) DO UPDATE SET fire_at = EXCLUDED.fire_at, lease_until = NULL, leased_by = NULL`,
    [timer.id, timer.url, at],
  );
}
