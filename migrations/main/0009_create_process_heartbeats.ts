// Which processes are running: every long-running process upserts its row every HEARTBEAT_INTERVAL_MS
// (common/process/heartbeat.ts) and deletes it on a graceful stop; the dashboard counts the recent ones per type.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE process_heartbeats (
      -- <type>:<hostname>:<pid>:<random>, new at every start
      process_id text PRIMARY KEY,
      type text NOT NULL,
      hostname text NOT NULL,
      pid integer NOT NULL,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      -- what the process reports of itself (a trigger: its lateness histogram's cumulative buckets)
      stats jsonb NOT NULL DEFAULT '{}'
    )`);
  await knex.raw('CREATE INDEX process_heartbeats_last_seen_at ON process_heartbeats (last_seen_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE process_heartbeats');
}
