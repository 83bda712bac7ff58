// Idempotency-Key on POST /timer: the same key with the same body gives the same timer (201 the first
// time, 200 after), across replicas and restarts; the same key with another body is refused. A key
// lives 24 hours. The key row is written before the timer is published, and a repeat publishes the
// same timer again (same id, same due time), so a crash between the two never leaves a key that
// points at nothing: the consumer stores a timer id once however often it arrives.
import { createHash } from 'node:crypto';
import type { Pool } from '../common/db.js';
import type { Logger } from '../common/logger.js';

export const KEY_TTL_HOURS = 24;
const EXPIRY_SWEEP_MS = 10 * 60_000;

/** The same JSON value gives the same text whatever the order of object keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');

export type KeyClaim =
  | { kind: 'new' }
  /** the key was used for this very request: the timer it made */
  | { kind: 'repeat'; timerId: string; fireAt: number; createdAt: number }
  | { kind: 'mismatch' };

/**
 * claimKey(main, key, hash, timer): records that `key` makes this timer, unless a live key exists
 * (then: the same request again, or another one).
 */
export async function claimKey(main: Pool, key: string, hash: string, timer: { id: string; fire_at: number; created_at: number }): Promise<KeyClaim> {
  const inserted = await main.query(
    `INSERT INTO idempotency_keys (key, request_hash, timer_id, fire_at, created_at)
     VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000.0), to_timestamp($5::float8 / 1000.0))
     ON CONFLICT (key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, timer_id = EXCLUDED.timer_id, fire_at = EXCLUDED.fire_at, created_at = EXCLUDED.created_at
       WHERE idempotency_keys.created_at < now() - make_interval(hours => $6)
     RETURNING key`,
    [key, hash, timer.id, timer.fire_at, timer.created_at, KEY_TTL_HOURS],
  );
  if (inserted.rowCount === 1) return { kind: 'new' };
  const found = await main.query<{ request_hash: string; timer_id: string; fire_at_ms: string; created_at_ms: string }>(
    `SELECT request_hash, timer_id, (extract(epoch FROM fire_at) * 1000)::bigint AS fire_at_ms,
            (extract(epoch FROM created_at) * 1000)::bigint AS created_at_ms
       FROM idempotency_keys WHERE key = $1`,
    [key],
  );
  const row = found.rows[0];
  if (!row) return claimKey(main, key, hash, timer); // expired and removed in between: take it
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  return { kind: 'repeat', timerId: row.timer_id, fireAt: Number(row.fire_at_ms), createdAt: Number(row.created_at_ms) };
}

/** Forgets a key whose timer could not be published, so that the client's retry creates it. */
export async function releaseKey(main: Pool, key: string, timerId: string): Promise<void> {
  await main.query('DELETE FROM idempotency_keys WHERE key = $1 AND timer_id = $2', [key, timerId]);
}

/** Deletes expired keys every ten minutes; returns the stop function. */
export function sweepExpiredKeys(main: Pool, log: Logger): () => void {
  const timer = setInterval(() => {
    main
      .query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [KEY_TTL_HOURS])
      .catch((err: Error) => log.warn({ err: err.message }, 'could not delete expired idempotency keys'));
  }, EXPIRY_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
