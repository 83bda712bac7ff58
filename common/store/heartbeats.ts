// The SQL of process_heartbeats: a process's upsert (which also prunes rows not seen for an hour), its
// delete on a graceful stop, and the dashboard's read. Instants come from the database's clock, so
// processes on hosts whose clocks disagree are compared on one clock.
import type { Pool } from '../db/pool.js';

export interface Heartbeat {
  process_id: string;
  type: string;
  hostname: string;
  pid: number;
  started_at: Date;
}

/** A row as the dashboard reads it, with the database's now to compare last_seen_at with. */
export interface HeartbeatRow extends Heartbeat {
  last_seen_at: Date;
  stats: Record<string, unknown>;
  db_now: Date;
}

// Rows of processes that died without their delete (kill -9, a lost host) go after an hour.
const PRUNE_AFTER = '1 hour';

/**
 * beat(db, heartbeat, stats): upserts the process's row at the database's now and prunes stale rows,
 * never its own: a row deleted and upserted by one statement is an error, every tick after a long outage.
 */
export async function beat(db: Pool, heartbeat: Heartbeat, stats: Record<string, unknown>): Promise<void> {
  await db.query(
    `WITH pruned AS (DELETE FROM process_heartbeats WHERE last_seen_at < now() - interval '${PRUNE_AFTER}' AND process_id <> $1)
     INSERT INTO process_heartbeats (process_id, type, hostname, pid, started_at, last_seen_at, stats)
     VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb)
     ON CONFLICT (process_id) DO UPDATE SET last_seen_at = now(), stats = EXCLUDED.stats`,
    [heartbeat.process_id, heartbeat.type, heartbeat.hostname, heartbeat.pid, heartbeat.started_at.toISOString(), JSON.stringify(stats)],
  );
}

/** forget(db, processId): the row of a process that stops gracefully. */
export async function forget(db: Pool, processId: string): Promise<void> {
  await db.query('DELETE FROM process_heartbeats WHERE process_id = $1', [processId]);
}

/** heartbeats(db, limit): every row (none older than an hour once a process has beaten), by type, newest first. */
export async function heartbeats(db: Pool, limit: number): Promise<HeartbeatRow[]> {
  const { rows } = await db.query<HeartbeatRow>(
    `SELECT process_id, type, hostname, pid, started_at, last_seen_at, stats, now() AS db_now
       FROM process_heartbeats
      ORDER BY type, last_seen_at DESC
      LIMIT $1`,
    [limit],
  );
  return rows;
}

/** liveCount(db, type, withinMs): processes of a type that beat within that long (the database's clock). */
export async function liveCount(db: Pool, type: string, withinMs: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM process_heartbeats WHERE type = $1 AND last_seen_at > now() - make_interval(secs => $2::float8 / 1000)`, [
    type,
    withinMs,
  ]);
  return rows[0]!.n;
}
