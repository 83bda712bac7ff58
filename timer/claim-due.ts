// A timer-db shard's SQL for pollers: claim rows entering the look-ahead window, delete the ones
// handed to the broker, and give back claims on shutdown.
import type { Pool } from '../common/db/pool.js';

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

/**
 * claimDue(shard, params): leases up to `limit` rows due by `horizon` whose lease is free or expired,
 * earliest first. SKIP LOCKED lets any number of pollers claim from one shard without waiting on each
 * other or taking the same row; an expired lease (its poller died) makes a row claimable again.
 */
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

export const claimDueParams = (p: ClaimParams) => [p.horizon, p.now, p.leaseUntil, p.owner, p.limit];

export async function claimDue(shard: Pool, p: ClaimParams): Promise<ClaimedTimer[]> {
  const result = await shard.query<{ id: string; url: string; fire_at_ms: number }>(CLAIM_DUE_SQL, claimDueParams(p));
  return result.rows.map((row) => ({ id: row.id, url: row.url, fire_at: row.fire_at_ms }));
}

/** deleteFired(shard, ids, owner): removes rows this poller published; a row re-leased by another stays. */
export async function deleteFired(shard: Pool, ids: string[], owner: string): Promise<void> {
  await shard.query('DELETE FROM timers_to_fire WHERE id = ANY($1::uuid[]) AND leased_by = $2', [ids, owner]);
}

/** releaseClaims(shard, ids, owner): frees leases of rows held but not published (graceful stop). */
export async function releaseClaims(shard: Pool, ids: string[], owner: string): Promise<void> {
  await shard.query('UPDATE timers_to_fire SET lease_until = NULL, leased_by = NULL WHERE id = ANY($1::uuid[]) AND leased_by = $2', [ids, owner]);
}
