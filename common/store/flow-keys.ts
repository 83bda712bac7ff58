// The SQL of the main database's flow_keys and flow_leases: a key's limits (rate per period,
// parallelism) and pause, set by its owner through the API or by the timers that name it; the rate's
// clock and the count of timers waiting, moved on by the triggers; and the leases of deliveries in
// flight, one per timer, which lapse by themselves when their trigger dies. A key's row id is derived
// from (kind, owner, key), so every process finds it without a lookup. Host rows (a callback host
// paused by its Retry-After) and the one deliveries row (all deliveries paused) share the table.
import { v5 as uuidv5 } from 'uuid';
import type { Queryable } from '../db/pool.js';
import { scopeParams, type OwnerScope } from './owner-scope.js';

const FLOW_NAMESPACE = 'a3c1f0d8-5b7e-4e2a-9c64-0f1d2e3b4a59';

export type FlowKind = 'key' | 'host' | 'deliveries';

/** A flow key's row id: the same for every process, from its kind, owner and name. */
export const flowKeyId = (kind: FlowKind, ownerId: string | null, key: string): string => uuidv5(`${kind}/${ownerId ?? ''}/${key}`, FLOW_NAMESPACE);

/** The row of all deliveries' pause. */
export const DELIVERIES_KEY_ID = flowKeyId('deliveries', null, '*');

export interface FlowLimits {
  /** deliveries started per period; null: no rate limit */
  rate: number | null;
  period_s: number;
  /** deliveries in flight at once; null: no limit */
  parallelism: number | null;
}

export interface FlowKeyRow extends FlowLimits {
  id: string;
  kind: FlowKind;
  owner_id: string | null;
  key: string;
  /** epoch ms; Infinity: until resumed; null: not paused (a past instant is not paused either) */
  paused_until: number | null;
  pause_reason: string | null;
  /** epoch ms: the earliest instant the next delivery may start (the rate's clock) */
  next_slot_at: number | null;
  /** timers waiting on this key */
  held: number;
  created_at: Date;
  updated_at: Date;
}

const epochMs = (column: string) => `CASE WHEN ${column} = 'infinity' THEN 'Infinity'::float8 ELSE extract(epoch FROM ${column}) * 1000 END`;
const COLUMNS = `id, kind, owner_id, key, rate, period_s, parallelism, ${epochMs('paused_until')} AS paused_until, pause_reason,
       ${epochMs('next_slot_at')} AS next_slot_at, held, created_at, updated_at`;
const instant = (ms: number | null) => (ms === null ? null : ms === Infinity ? 'infinity' : new Date(ms).toISOString());

/** A key named by new timers (consumer) or a schedule: its limits as given; a limit not given keeps the key's. */
export interface NamedKey {
  ownerId: string | null;
  key: string;
  rate?: number;
  period_s?: number;
  parallelism?: number;
}

/**
 * nameFlowKeys(db, keys, at): creates the keys new timers name, or sets the limits they give (a limit a
 * timer leaves out keeps the key's). Rows are written in id order, so concurrent writers never deadlock.
 */
export async function nameFlowKeys(db: Queryable, keys: NamedKey[], at: number): Promise<void> {
  const byId = new Map<string, NamedKey>();
  for (const k of keys) byId.set(flowKeyId('key', k.ownerId, k.key), { ...byId.get(flowKeyId('key', k.ownerId, k.key)), ...k });
  const rows = [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO flow_keys (id, kind, owner_id, key, rate, period_s, parallelism, created_at, updated_at)
     SELECT k.id, 'key', k.owner_id, k.key, k.rate, coalesce(k.period_s, 1), k.parallelism, to_timestamp($7 / 1000.0), to_timestamp($7 / 1000.0)
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::int[]) AS k(id, owner_id, key, rate, period_s, parallelism)
     ON CONFLICT (id) DO UPDATE
        SET rate = coalesce(EXCLUDED.rate, flow_keys.rate),
            period_s = CASE WHEN EXCLUDED.rate IS NULL THEN flow_keys.period_s ELSE EXCLUDED.period_s END,
            parallelism = coalesce(EXCLUDED.parallelism, flow_keys.parallelism),
            updated_at = EXCLUDED.updated_at
      WHERE (EXCLUDED.rate IS NOT NULL AND (EXCLUDED.rate, EXCLUDED.period_s) IS DISTINCT FROM (flow_keys.rate, flow_keys.period_s))
         OR (EXCLUDED.parallelism IS NOT NULL AND EXCLUDED.parallelism IS DISTINCT FROM flow_keys.parallelism)`,
    [
      rows.map(([id]) => id),
      rows.map(([, k]) => k.ownerId),
      rows.map(([, k]) => k.key),
      rows.map(([, k]) => k.rate ?? null),
      rows.map(([, k]) => (k.rate === undefined ? null : (k.period_s ?? 1))),
      rows.map(([, k]) => k.parallelism ?? null),
      at,
    ],
  );
}

/** putFlowKey(db, ownerId, key, limits, at): sets a key's limits exactly (a null limit removes it); its row. */
export async function putFlowKey(db: Queryable, ownerId: string | null, key: string, limits: FlowLimits, at: number): Promise<FlowKeyRow> {
  const result = await db.query<FlowKeyRow>(
    `INSERT INTO flow_keys (id, kind, owner_id, key, rate, period_s, parallelism, created_at, updated_at)
     VALUES ($1, 'key', $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0), to_timestamp($7 / 1000.0))
     ON CONFLICT (id) DO UPDATE SET rate = EXCLUDED.rate, period_s = EXCLUDED.period_s, parallelism = EXCLUDED.parallelism, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [flowKeyId('key', ownerId, key), ownerId, key, limits.rate, limits.period_s, limits.parallelism, at],
  );
  return result.rows[0]!;
}

/** findFlowKey(db, id): the key's row, or null. */
export async function findFlowKey(db: Queryable, id: string): Promise<FlowKeyRow | null> {
  const result = await db.query<FlowKeyRow>(`SELECT ${COLUMNS} FROM flow_keys WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/** listFlowKeys(db, scope, afterKey, limit): the keys the scope sees in (owner, key) order after a cursor. */
export async function listFlowKeys(db: Queryable, scope: OwnerScope, after: { ownerId: string | null; key: string } | null, limit: number): Promise<FlowKeyRow[]> {
  const result = await db.query<FlowKeyRow>(LIST_FLOW_KEYS_SQL, listFlowKeysParams(scope, after, limit));
  return result.rows;
}

// By the flow_keys_owner_key index, an owner's keys and the admin's list alike.
export const LIST_FLOW_KEYS_SQL = `SELECT ${COLUMNS} FROM flow_keys
      WHERE kind = 'key' AND ($1::boolean OR coalesce(owner_id::text, '') = coalesce($2::text, ''))
        AND ($3::text IS NULL OR (coalesce(owner_id::text, ''), key) > (coalesce($4::text, ''), $3::text))
      ORDER BY coalesce(owner_id::text, ''), key
      LIMIT $5`;

export const listFlowKeysParams = (scope: OwnerScope, after: { ownerId: string | null; key: string } | null, limit: number): unknown[] => [
  ...scopeParams(scope),
  after?.key ?? null,
  after?.ownerId ?? null,
  limit,
];

/** inFlight(db, ids, now): unexpired leases per key id (keys without any are left out). */
export async function inFlight(db: Queryable, ids: string[], now: number): Promise<Map<string, number>> {
  const result = await db.query<{ key_id: string; n: number }>(
    `SELECT key_id, count(*)::int AS n FROM flow_leases WHERE key_id = ANY($1::uuid[]) AND expires_at > to_timestamp($2 / 1000.0) GROUP BY key_id`,
    [ids, now],
  );
  return new Map(result.rows.map((row) => [row.key_id, row.n]));
}

/** pauseFlowKey(db, kind, ownerId, key, until, reason, at): pauses the key (creating its row) until then (Infinity: until resumed); its row. */
export async function pauseFlowKey(db: Queryable, kind: FlowKind, ownerId: string | null, key: string, until: number, reason: string, at: number): Promise<FlowKeyRow> {
  const result = await db.query<FlowKeyRow>(
    `INSERT INTO flow_keys (id, kind, owner_id, key, paused_until, pause_reason, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $6, to_timestamp($7 / 1000.0), to_timestamp($7 / 1000.0))
     ON CONFLICT (id) DO UPDATE SET paused_until = EXCLUDED.paused_until, pause_reason = EXCLUDED.pause_reason, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [flowKeyId(kind, ownerId, key), kind, ownerId, key, instant(until), reason, at],
  );
  return result.rows[0]!;
}

/**
 * pauseUntilAtLeast(db, kind, ownerId, key, until, reason, at): a receiver's Retry-After: the pause is
 * lengthened to `until`, never shortened (an operator's longer pause stays).
 */
export async function pauseUntilAtLeast(db: Queryable, kind: FlowKind, ownerId: string | null, key: string, until: number, reason: string, at: number): Promise<void> {
  await db.query(
    `INSERT INTO flow_keys (id, kind, owner_id, key, paused_until, pause_reason, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $6, to_timestamp($7 / 1000.0), to_timestamp($7 / 1000.0))
     ON CONFLICT (id) DO UPDATE
        SET paused_until = EXCLUDED.paused_until, pause_reason = EXCLUDED.pause_reason, updated_at = EXCLUDED.updated_at
      WHERE flow_keys.paused_until IS NULL OR flow_keys.paused_until < EXCLUDED.paused_until`,
    [flowKeyId(kind, ownerId, key), kind, ownerId, key, instant(until), reason, at],
  );
}

/** resumeFlowKey(db, id, at): the key is no longer paused; its row, or null when there is none. */
export async function resumeFlowKey(db: Queryable, id: string, at: number): Promise<FlowKeyRow | null> {
  const result = await db.query<FlowKeyRow>(`UPDATE flow_keys SET paused_until = NULL, pause_reason = NULL, updated_at = to_timestamp($2 / 1000.0) WHERE id = $1 RETURNING ${COLUMNS}`, [id, at]);
  return result.rows[0] ?? null;
}

/** pausedGates(db, now): the hosts and the deliveries row paused now (each trigger keeps them in memory). */
export async function pausedGates(db: Queryable, now: number): Promise<Array<{ id: string; kind: FlowKind; key: string; paused_until: number }>> {
  const result = await db.query<{ id: string; kind: FlowKind; key: string; paused_until: number }>(
    `SELECT id, kind, key, ${epochMs('paused_until')} AS paused_until FROM flow_keys
      WHERE kind <> 'key' AND paused_until > to_timestamp($1 / 1000.0)`,
    [now],
  );
  return result.rows;
}

/** pausedHosts(db, now, limit): the callback hosts paused now (a receiver's Retry-After), the latest to end first; for an admin's view. */
export async function pausedHosts(db: Queryable, now: number, limit: number): Promise<FlowKeyRow[]> {
  const result = await db.query<FlowKeyRow>(
    `SELECT ${COLUMNS} FROM flow_keys WHERE kind <> 'key' AND kind = 'host' AND paused_until > to_timestamp($1 / 1000.0) ORDER BY paused_until DESC, key LIMIT $2`,
    [now, limit],
  );
  return result.rows;
}

/** The part of a key's row a trigger decides with, locked for its transaction. */
export interface FlowGateRow {
  id: string;
  rate: number | null;
  period_s: number;
  parallelism: number | null;
  paused_until: number | null;
  next_slot_at: number | null;
  held: number;
}

const GATE_COLUMNS = `id, rate, period_s, parallelism, ${epochMs('paused_until')} AS paused_until, ${epochMs('next_slot_at')} AS next_slot_at, held`;

/** lockFlowKeys(db, ids): the rows of those keys that exist, locked in id order until the transaction ends. */
export async function lockFlowKeys(db: Queryable, ids: string[]): Promise<FlowGateRow[]> {
  const result = await db.query<FlowGateRow>(`SELECT ${GATE_COLUMNS} FROM flow_keys WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  return result.rows;
}

/** lockFlowKeyToRelease(db, id): the key's row locked, or null when another trigger is working on it. */
export async function lockFlowKeyToRelease(db: Queryable, id: string): Promise<FlowGateRow | null> {
  const result = await db.query<FlowGateRow>(`SELECT ${GATE_COLUMNS} FROM flow_keys WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
  return result.rows[0] ?? null;
}

/** setFlowClock(db, changes): each key's rate clock and its count of waiting timers, as decided. */
export async function setFlowClock(db: Queryable, changes: Array<{ id: string; nextSlotAt: number | null; held: number }>): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `UPDATE flow_keys AS k SET next_slot_at = to_timestamp(c.next / 1000.0), held = greatest(0, c.held)
       FROM unnest($1::uuid[], $2::float8[], $3::int[]) AS c(id, next, held)
      WHERE k.id = c.id`,
    [changes.map((c) => c.id), changes.map((c) => c.nextSlotAt), changes.map((c) => c.held)],
  );
}

/**
 * keysToRelease(db, now, limit, slotBy): keys with timers waiting that are not paused now; with `slotBy`,
 * only keys with a rate whose next slot is free by then (a key held back by its parallelism is released
 * when a delivery gives its place back or a lapsed lease is removed, a resumed one by the full sweep).
 */
export async function keysToRelease(db: Queryable, now: number, limit: number, slotBy: number | null = null): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM flow_keys
      WHERE held > 0 AND (paused_until IS NULL OR paused_until <= to_timestamp($1 / 1000.0))
        AND ($3::float8 IS NULL OR next_slot_at <= to_timestamp($3::float8 / 1000.0))
      LIMIT $2`,
    [now, limit, slotBy],
  );
  return result.rows.map((row) => row.id);
}

export interface FlowLease {
  keyId: string;
  timerId: string;
  startAt: number;
  expiresAt: number;
}

/** leasesOf(db, pairs): the leases those timers already hold on those keys (granted when they were released). */
export async function leasesOf(db: Queryable, pairs: Array<{ keyId: string; timerId: string }>): Promise<FlowLease[]> {
  if (pairs.length === 0) return [];
  const result = await db.query<{ key_id: string; timer_id: string; start_ms: number; expires_ms: number }>(
    `SELECT l.key_id, l.timer_id, extract(epoch FROM l.start_at) * 1000 AS start_ms, extract(epoch FROM l.expires_at) * 1000 AS expires_ms
       FROM flow_leases l JOIN unnest($1::uuid[], $2::uuid[]) AS p(key_id, timer_id) ON l.key_id = p.key_id AND l.timer_id = p.timer_id`,
    [pairs.map((p) => p.keyId), pairs.map((p) => p.timerId)],
  );
  return result.rows.map((row) => ({ keyId: row.key_id, timerId: row.timer_id, startAt: Number(row.start_ms), expiresAt: Number(row.expires_ms) }));
}

/** grantLeases(db, leases): each timer's lease on its key (a lease it held before is replaced). */
export async function grantLeases(db: Queryable, leases: FlowLease[]): Promise<void> {
  if (leases.length === 0) return;
  await db.query(
    `INSERT INTO flow_leases (key_id, timer_id, start_at, expires_at)
     SELECT key_id, timer_id, to_timestamp(s / 1000.0), to_timestamp(e / 1000.0) FROM unnest($1::uuid[], $2::uuid[], $3::float8[], $4::float8[]) AS l(key_id, timer_id, s, e)
     ON CONFLICT (key_id, timer_id) DO UPDATE SET start_at = EXCLUDED.start_at, expires_at = EXCLUDED.expires_at`,
    [leases.map((l) => l.keyId), leases.map((l) => l.timerId), leases.map((l) => l.startAt), leases.map((l) => l.expiresAt)],
  );
}

/** endLeases(db, pairs): deliveries that have their answer give their capacity back. */
export async function endLeases(db: Queryable, pairs: Array<{ keyId: string; timerId: string }>): Promise<void> {
  if (pairs.length === 0) return;
  await db.query(`DELETE FROM flow_leases l USING unnest($1::uuid[], $2::uuid[]) AS p(key_id, timer_id) WHERE l.key_id = p.key_id AND l.timer_id = p.timer_id`, [
    pairs.map((p) => p.keyId),
    pairs.map((p) => p.timerId),
  ]);
}

/** endLapsedLeases(db, now): leases of deliveries whose trigger died, past their expiry; the keys they held places on. */
export async function endLapsedLeases(db: Queryable, now: number): Promise<string[]> {
  const result = await db.query<{ key_id: string }>(`DELETE FROM flow_leases WHERE expires_at < to_timestamp($1 / 1000.0) RETURNING key_id`, [now]);
  return [...new Set(result.rows.map((row) => row.key_id))];
}
