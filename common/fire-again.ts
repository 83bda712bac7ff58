// Puts a timer back through the timer machinery: a row in its shard due at `at`, which a poller
// publishes then. Used by the trigger for a retry, for a timer deferred because its host is at its
// limit, for a timer another trigger holds (re-checked when that claim expires: dropped if it was
// delivered, fired if the holder died) or that is due later than its message said; and by the
// webserver for a rescheduled timer. Overwrites a row still there (its lease too), so a poller
// deleting its published copy cannot remove it.
import type { Pool } from './db.js';
import type { DueTimer } from './timer-message.js';

export async function fireAgainAt(shard: Pool, timer: Pick<DueTimer, 'id' | 'url'>, at: number): Promise<void> {
  await shard.query(
    `INSERT INTO timers_to_fire (id, url, fire_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))
     ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, fire_at = EXCLUDED.fire_at, lease_until = NULL, leased_by = NULL`,
    [timer.id, timer.url, at],
  );
}
