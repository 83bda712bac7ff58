// The dashboard's view of the heartbeats (common/process/heartbeat.ts): which processes are alive, per type,
// and the lateness histogram of the alive triggers together. Pure: the rows carry the database's now.
import { ALIVE_INTERVALS, HEARTBEAT_TYPES } from '../../common/process/heartbeat.js';
import type { HeartbeatRow } from '../../common/store/heartbeats.js';
import { sumBuckets, type Bucket } from '../../common/observability/histogram-buckets.js';

/** isAlive(row, intervalMs): the process beat within the last ALIVE_INTERVALS intervals. */
export function isAlive(row: Pick<HeartbeatRow, 'last_seen_at' | 'db_now'>, intervalMs: number): boolean {
  return row.db_now.getTime() - row.last_seen_at.getTime() < ALIVE_INTERVALS * intervalMs;
}

export function processSummary(rows: readonly HeartbeatRow[], intervalMs: number) {
  const processes = rows.map((row) => ({
    type: row.type,
    hostname: row.hostname,
    pid: row.pid,
    started_at: row.started_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
    alive: isAlive(row, intervalMs),
  }));
  const types = [...new Set([...HEARTBEAT_TYPES, ...rows.map((row) => row.type)])];
  return {
    by_type: types.map((type) => {
      const ofType = processes.filter((p) => p.type === type);
      return { type, alive: ofType.filter((p) => p.alive).length, gone: ofType.filter((p) => !p.alive).length };
    }),
    processes,
  };
}

/** The lateness buckets of every alive trigger, summed ("webhooks sent by the running triggers"). */
export function aliveTriggerLateness(rows: readonly HeartbeatRow[], intervalMs: number): Bucket[] {
  return sumBuckets(rows.filter((row) => row.type === 'trigger' && isAlive(row, intervalMs)).map((row) => row.stats.lateness_buckets));
}
