// Replays failed timers: each gets a new attempt series (same id, so the same idempotency key) that
// starts about a second from now through the timer machinery. The shard rows are written before the
// timers turn 'retrying', so a crash in between leaves a failed timer (and a row the trigger drops),
// never a retrying one that waits for nothing; a slow commit gets its rows written again.
import type { Pool } from '../../common/db/pool.js';
import { shardOf } from '../../common/store/shard.js';

const REPLAY_DELAY_MS = 1_000;

export interface ReplayFilter {
  url_prefix?: string | undefined;
  failed_after?: string | undefined;
  failed_before?: string | undefined;
  limit: number;
}

/** Only the timers a viewer sees: everything, or one owner's (null: the ownerless). */
export type ReplayScope = { all: true } | { all: false; owner: string | null };

async function putInShards(shards: Pool[], timers: Array<{ id: string; url: string }>, at: number): Promise<void> {
  const byShard = new Map<number, Array<{ id: string; url: string }>>();
  for (const timer of timers) {
    const shard = shardOf(timer.id, shards.length);
    byShard.set(shard, [...(byShard.get(shard) ?? []), timer]);
  }
  await Promise.all(
    [...byShard].map(([shard, rows]) =>
      shards[shard]!.query(
        `INSERT INTO timers_to_fire (id, url, fire_at)
         SELECT id, url, to_timestamp($3 / 1000.0) FROM unnest($1::uuid[], $2::text[]) AS t(id, url)
         ON CONFLICT (id) DO UPDATE SET fire_at = EXCLUDED.fire_at, lease_until = NULL, leased_by = NULL`,
        [rows.map((r) => r.id), rows.map((r) => r.url), at],
      ),
    ),
  );
}

/** replayTimers(main, shards, ids, now): replays those of the ids that are failed; returns their ids. */
export async function replayTimers(main: Pool, shards: Pool[], ids: string[], now: () => number): Promise<string[]> {
  const failed = await main.query<{ id: string; url: string }>(`SELECT id, url FROM timers WHERE id = ANY($1::uuid[]) AND state = 'failed'`, [ids]);
  if (failed.rows.length === 0) return [];
  const at = now() + REPLAY_DELAY_MS;
  await putInShards(shards, failed.rows, at);
  const replayed = await main.query<{ id: string; url: string }>(
    `UPDATE timers
        SET state = 'retrying', attempts = 0, series = series + 1, next_attempt_at = to_timestamp($2 / 1000.0)
      WHERE id = ANY($1::uuid[]) AND state = 'failed'
      RETURNING id, url`,
    [failed.rows.map((r) => r.id), at],
  );
  // A poller publishes a row a little before it is due; if the timers turned 'retrying' only that late,
  // a trigger may have dropped the row already: write it again, due now.
  if (now() > at - REPLAY_DELAY_MS / 2) await putInShards(shards, replayed.rows, now());
  return replayed.rows.map((r) => r.id);
}

/** The ids of failed timers matching a filter, the longest-failed first. */
export async function findFailed(main: Pool, filter: ReplayFilter, scope: ReplayScope = { all: true }): Promise<string[]> {
  const result = await main.query<{ id: string }>(
    `SELECT id FROM timers
      WHERE state = 'failed'
        AND ($1::text IS NULL OR starts_with(url, $1))
        AND ($2::timestamptz IS NULL OR last_attempt_at >= $2)
        AND ($3::timestamptz IS NULL OR last_attempt_at < $3)
        AND ($5::boolean OR owner_id IS NOT DISTINCT FROM $6::uuid)
      ORDER BY last_attempt_at, id
      LIMIT $4`,
    [filter.url_prefix ?? null, filter.failed_after ?? null, filter.failed_before ?? null, filter.limit, scope.all, scope.all ? null : scope.owner],
  );
  return result.rows.map((r) => r.id);
}
