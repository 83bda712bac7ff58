// The consumer's SQL: new timers into the main timers table and into their shard's timers_to_fire.
// Both inserts are idempotent (ON CONFLICT DO NOTHING), so a redelivered batch writes nothing twice.
import type { Pool } from '../common/db/pool.js';
import type { IncomingTimer } from '../common/messages/timer-message.js';

const columns = (timers: IncomingTimer[]) => [
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
];

/**
 * insertTimers(main, timers): inserts the rows that are new; returns the ids of the given timers that
 * are still waiting to fire (new or not), which are the ones their shard must hold. A timer already
 * delivered is not handed to a shard again when its message is redelivered. Only when some rows were
 * there already (a redelivery) is their state read, in a second statement.
 */
export async function insertTimers(main: Pool, timers: IncomingTimer[]): Promise<Set<string>> {
  const inserted = await main.query<{ id: string }>(
    `INSERT INTO timers (id, url, fire_at, created_at, max_attempts, timeout_ms, retry_backoff_ms, retry_max_backoff_ms, method, headers, body, request_id, owner_id)
     SELECT id, url, to_timestamp(fire_at / 1000.0), to_timestamp(created_at / 1000.0),
            max_attempts, timeout_ms, retry_backoff_ms, retry_max_backoff_ms, method, headers::jsonb, body, request_id, owner_id
       FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::uuid[])
         AS t(id, url, fire_at, created_at, max_attempts, timeout_ms, retry_backoff_ms, retry_max_backoff_ms, method, headers, body, request_id, owner_id)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    columns(timers),
  );
  const waiting = new Set(inserted.rows.map((row) => row.id));
  const known = timers.filter((t) => !waiting.has(t.id)).map((t) => t.id);
  if (known.length === 0) return waiting;
  const scheduled = await main.query<{ id: string }>(`SELECT id FROM timers WHERE id = ANY($1::uuid[]) AND state = 'scheduled'`, [known]);
  for (const row of scheduled.rows) waiting.add(row.id);
  return waiting;
}

/** insertTimersToFire(shard, timers): the shard's copies, which pollers claim as they fall due. */
export async function insertTimersToFire(shard: Pool, timers: IncomingTimer[]): Promise<void> {
  if (timers.length === 0) return;
  await shard.query(
    `INSERT INTO timers_to_fire (id, url, fire_at)
     SELECT id, url, to_timestamp(fire_at / 1000.0)
       FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS t(id, url, fire_at)
     ON CONFLICT (id) DO NOTHING`,
    columns(timers).slice(0, 3),
  );
}
