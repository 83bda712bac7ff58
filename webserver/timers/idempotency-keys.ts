// Idempotency-Key on POST /timer: the same key with the same body gives the same timer (201 the first
// time, 200 after), across replicas and restarts; the same key with another body is refused. A key
// lives 24 hours. The key row is written before the timer is published, and a repeat publishes the
// same timer again (same id, same due time), so a crash between the two never leaves a key that
// points at nothing: the consumer stores a timer id once however often it arrives.
import { createHash } from 'node:crypto';
import type { Pool } from '../../common/db/pool.js';
import type { Logger } from '../../common/observability/logger.js';

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

export interface KeyRequest {
  key: string;
  /** requestHash of the body */
  hash: string;
  /** the timer this request would make */
  timer: { id: string; fire_at: number; created_at: number };
}

interface KeyRecord {
  hash: string;
  timerId: string;
  fireAt: number;
  createdAt: number;
}

const answerFrom = (record: KeyRecord, hash: string): KeyClaim =>
  record.hash === hash ? { kind: 'repeat', timerId: record.timerId, fireAt: record.fireAt, createdAt: record.createdAt } : { kind: 'mismatch' };

/**
 * claimKeys(main, requests): for each request, records that its key makes its timer, unless a live key
 * exists (then: the same request again, or another one). One INSERT for the whole batch, and one SELECT
 * for the keys already taken. Within a batch the first request of a key claims it; a later one with the
 * same key is answered as if it came right after.
 */
export async function claimKeys(main: Pool, requests: KeyRequest[]): Promise<KeyClaim[]> {
  const firstOf = new Map<string, KeyRequest>();
  for (const request of requests) if (!firstOf.has(request.key)) firstOf.set(request.key, request);
  const firsts = [...firstOf.values()];
  const inserted = await main.query<{ key: string }>(
    `INSERT INTO idempotency_keys (key, request_hash, timer_id, fire_at, created_at)
     SELECT key, hash, timer_id, to_timestamp(fire_at / 1000.0), to_timestamp(created_at / 1000.0)
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::float8[], $5::float8[]) AS r(key, hash, timer_id, fire_at, created_at)
     ON CONFLICT (key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, timer_id = EXCLUDED.timer_id, fire_at = EXCLUDED.fire_at, created_at = EXCLUDED.created_at
       WHERE idempotency_keys.created_at < now() - make_interval(hours => $6)
     RETURNING key`,
    [firsts.map((r) => r.key), firsts.map((r) => r.hash), firsts.map((r) => r.timer.id), firsts.map((r) => r.timer.fire_at), firsts.map((r) => r.timer.created_at), KEY_TTL_HOURS],
  );
  const claimed = new Set(inserted.rows.map((row) => row.key));
  const records = new Map<string, KeyRecord>();
  for (const r of firsts) if (claimed.has(r.key)) records.set(r.key, { hash: r.hash, timerId: r.timer.id, fireAt: r.timer.fire_at, createdAt: r.timer.created_at });
  const taken = firsts.filter((r) => !claimed.has(r.key)).map((r) => r.key);
  if (taken.length > 0) {
    const found = await main.query<{ key: string; request_hash: string; timer_id: string; fire_at_ms: string; created_at_ms: string }>(
      `SELECT key, request_hash, timer_id, (extract(epoch FROM fire_at) * 1000)::bigint AS fire_at_ms,
              (extract(epoch FROM created_at) * 1000)::bigint AS created_at_ms
         FROM idempotency_keys WHERE key = ANY($1::text[])`,
      [taken],
    );
    for (const row of found.rows) records.set(row.key, { hash: row.request_hash, timerId: row.timer_id, fireAt: Number(row.fire_at_ms), createdAt: Number(row.created_at_ms) });
  }
  // A key that expired and was removed between the two statements: its requests claim it again.
  const vanished = requests.filter((r) => !records.has(r.key));
  const again = vanished.length > 0 ? await claimKeys(main, vanished) : [];
  const claims = new Map<KeyRequest, KeyClaim>(vanished.map((r, i) => [r, again[i]!]));
  return requests.map((r) => claims.get(r) ?? (claimed.has(r.key) && firstOf.get(r.key) === r ? { kind: 'new' } : answerFrom(records.get(r.key)!, r.hash)));
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
