// The SQL of the timer-db shards' timers_to_fire table: the consumer's inserts, the pollers' claims,
// deletes and releases, and the rows the trigger and the webserver put back. Which shard holds a
// timer (shard.ts) is decided here, from the list of shard pools; pollers, which work one shard at a
// time, pass that shard.
import { prepared, type Pool } from '../db/pool.js';
import type { IncomingTimer } from '../messages/timer-message.js';
import { Batcher } from '../batch/batcher.js';
import { shardOf } from './shard.js';
import { notifyIfDueSoon } from './due-soon.js';

/** The rows grouped by the shard that holds each one's timer (shards with none left out). */
function byShard<T extends { id: string }>(shards: Pool[], rows: T[]): Array<[Pool, T[]]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const shard = shardOf(row.id, shards.length);
    const group = groups.get(shard);
    if (group) group.push(row);
    else groups.set(shard, [row]);
  }
  return [...groups].map(([shard, group]) => [shards[shard]!, group]);
}

const insertStatement = prepared(
  'timers_to_fire.insert',
  `INSERT INTO timers_to_fire (id, url, fire_at)
     SELECT id, url, to_timestamp(fire_at / 1000.0)
       FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS t(id, url, fire_at)
     ON CONFLICT (id) DO NOTHING`,
);

/**
 * insertTimersToFire(shards, timers): each timer's copy in its shard, which pollers claim as it falls
 * due; one statement per shard, all shards in parallel. Idempotent (ON CONFLICT DO NOTHING): a
 * redelivered batch writes nothing twice. A shard given a timer due within `dueSoonMs` signals its
 * pollers (common/store/due-soon.ts; null: no signal).
 */
export async function insertTimersToFire(shards: Pool[], timers: Array<Pick<IncomingTimer, 'id' | 'url' | 'fire_at'>>, dueSoonMs: number | null = null): Promise<void> {
  await Promise.all(
    byShard(shards, timers).map(async ([shard, batch]) => {
      await shard.query(insertStatement([batch.map((t) => t.id), batch.map((t) => t.url), batch.map((t) => t.fire_at)]));
      await notifyIfDueSoon(
        shard,
        batch.map((t) => t.fire_at),
        dueSoonMs,
      );
    }),
  );
}

export interface ClaimedTimer {
  id: string;
  url: string;
  fire_at: number;
}

export interface ClaimParams {
  now: number;
  /** claim rows due at or before this instant */
  horizon: number;
  leaseUntil: number;
  owner: string;
  limit: number;
}

// The due ids as an array (evaluated once), then updated through the primary key. Joined as a subquery
// instead, the planner sized it by its LIMIT and hashed it against a scan of the whole shard table on
// every poll, however few rows were due (67 ms a poll with 300,000 rows pending, against 10 ms).
export const CLAIM_DUE_SQL = `UPDATE timers_to_fire AS t
        SET lease_until = to_timestamp($3 / 1000.0), leased_by = $4
      WHERE t.id = ANY(ARRAY(
              SELECT id FROM timers_to_fire
               WHERE fire_at <= to_timestamp($1 / 1000.0)
                 AND (lease_until IS NULL OR lease_until < to_timestamp($2 / 1000.0))
               ORDER BY fire_at
               LIMIT $5
               FOR UPDATE SKIP LOCKED))
  RETURNING t.id, t.url, (extract(epoch FROM t.fire_at) * 1000)::bigint AS fire_at_ms`;

const claimDueStatement = prepared('timers_to_fire.claim_due', CLAIM_DUE_SQL);

export const claimDueParams = (p: ClaimParams) => [p.horizon, p.now, p.leaseUntil, p.owner, p.limit];

/**
 * claimDue(shard, params): leases up to `limit` rows due by `horizon` whose lease is free or expired,
 * earliest first. SKIP LOCKED lets any number of pollers claim from one shard without waiting on each
 * other or taking the same row; an expired lease (its poller died) makes a row claimable again.
 */
export async function claimDue(shard: Pool, p: ClaimParams): Promise<ClaimedTimer[]> {
  const result = await shard.query<{ id: string; url: string; fire_at_ms: number }>(claimDueStatement(claimDueParams(p)));
  return result.rows.map((row) => ({ id: row.id, url: row.url, fire_at: row.fire_at_ms }));
}

const deleteFiredStatement = prepared('timers_to_fire.delete_fired', 'DELETE FROM timers_to_fire WHERE id = ANY($1::uuid[]) AND leased_by = $2');

/** deleteFired(shard, ids, owner): removes rows this poller published; a row re-leased by another stays. */
export async function deleteFired(shard: Pool, ids: string[], owner: string): Promise<void> {
  await shard.query(deleteFiredStatement([ids, owner]));
}

/** releaseClaims(shard, ids, owner): frees leases of rows held but not published (graceful stop). */
export async function releaseClaims(shard: Pool, ids: string[], owner: string): Promise<void> {
  await shard.query('UPDATE timers_to_fire SET lease_until = NULL, leased_by = NULL WHERE id = ANY($1::uuid[]) AND leased_by = $2', [ids, owner]);
}

/** deleteTimerToFire(shards, id): removes a timer's row from its shard (a cancelled timer's, to tidy). */
export async function deleteTimerToFire(shards: Pool[], id: string): Promise<void> {
  await shards[shardOf(id, shards.length)]!.query('DELETE FROM timers_to_fire WHERE id = $1', [id]);
}

export interface FireAgain {
  id: string;
  url: string;
  at: number;
}

/**
 * fireAllAgain(shards, rows): puts timers back through the timer machinery: each one's row in its
 * shard, due at its `at`, which a poller publishes then; one statement per shard, all in parallel.
 * Used by the trigger for a retry, for a timer deferred because its host is at its limit, for a timer
 * another trigger holds (re-checked when that claim expires: dropped if it was delivered, fired if the
 * holder died) or that is due later than its message said; and by the webserver for a rescheduled or a
 * replayed timer.
 * A row still there is overwritten whole: its URL, its due time and its lease. A poller deleting its
 * published copy therefore cannot remove the new row, and a replayed failed timer is put back even
 * when a stale row of an earlier series is still in its shard (leased or not), with the URL the timer
 * has now (a PATCH may have changed it since that row was written).
 * A timer given twice keeps its last row, as two calls one after the other would leave it.
 * A shard given a row due within `dueSoonMs` signals its pollers (common/store/due-soon.ts; null: no signal).
 */
export async function fireAllAgain(shards: Pool[], rows: FireAgain[], dueSoonMs: number | null = null): Promise<void> {
  await Promise.all(byShard(shards, rows).map(([shard, group]) => putBack(shard, group, dueSoonMs)));
}

const putBackStatement = prepared(
  'timers_to_fire.put_back',
  `INSERT INTO timers_to_fire (id, url, fire_at)
     SELECT id, url, to_timestamp(at / 1000.0) FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS r(id, url, at)
     ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, fire_at = EXCLUDED.fire_at, lease_until = NULL, leased_by = NULL`,
);

/** putBack(shard, rows, dueSoonMs): fireAllAgain's statement for rows that all belong to this shard. */
async function putBack(shard: Pool, rows: FireAgain[], dueSoonMs: number | null): Promise<void> {
  const last = [...new Map(rows.map((row) => [row.id, row])).values()];
  await shard.query(putBackStatement([last.map((row) => row.id), last.map((row) => row.url), last.map((row) => row.at)]));
  await notifyIfDueSoon(
    shard,
    last.map((row) => row.at),
    dueSoonMs,
  );
}

/** fireAgainAt(shards, timer, at, dueSoonMs): fireAllAgain for one timer. */
export async function fireAgainAt(shards: Pool[], timer: { id: string; url: string }, at: number, dueSoonMs: number | null = null): Promise<void> {
  await fireAllAgain(shards, [{ id: timer.id, url: timer.url, at }], dueSoonMs);
}

/**
 * fireAgainBatched(shards, maxSize, maxConcurrent): fireAgainAt for callers that put back one timer at a
 * time and many at once (the trigger): rows gather into one statement per shard, each shard batched on
 * its own, so that a slow or unreachable shard holds up only its own rows.
 */
export function fireAgainBatched(shards: Pool[], maxSize: number, maxConcurrent: number, dueSoonMs: number | null = null): (timer: { id: string; url: string }, at: number) => Promise<void> {
  const perShard = shards.map((shard) => Batcher.forWork<FireAgain>((rows) => putBack(shard, rows, dueSoonMs), maxSize, maxConcurrent));
  return (timer, at) => perShard[shardOf(timer.id, shards.length)]!.add({ id: timer.id, url: timer.url, at });
}
