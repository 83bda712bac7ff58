// Recurring schedules: a cron expression or an interval in a time zone, the webhook (or task) each run
// sends, and the chain head: the one run materialised ahead (next_run_id at next_instant). Each run is
// a timer (timers.schedule_id, schedule_instant); a run that did not fire (the previous run was still
// being delivered, or it was missed while the service was down) ends as 'skipped'.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE schedules (
      id uuid PRIMARY KEY,
      owner_id uuid,
      name text,
      cron text,
      every_ms bigint CHECK (every_ms >= 1000),
      timezone text NOT NULL DEFAULT 'UTC',
      -- an interval's instants are anchor_at + k * every_ms
      anchor_at timestamptz NOT NULL,
      url text,
      method text CHECK (method IN ('POST', 'PUT', 'PATCH')),
      headers jsonb,
      body text,
      max_attempts integer,
      timeout_ms integer,
      retry_backoff_ms integer,
      retry_max_backoff_ms integer,
      task_type text,
      task_args jsonb,
      start_at timestamptz,
      end_at timestamptz,
      overlap text NOT NULL DEFAULT 'allow' CHECK (overlap IN ('skip', 'allow')),
      catch_up text NOT NULL DEFAULT 'latest' CHECK (catch_up IN ('latest', 'all', 'none')),
      jitter_ms integer NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
      paused boolean NOT NULL DEFAULT false,
      -- raised by every edit, pause and resume: run ids of a new generation never meet an old one's
      generation integer NOT NULL DEFAULT 1,
      -- the materialised run that chains the next one when it fires (null: paused or ended)
      next_run_id uuid,
      next_instant timestamptz,
      -- runs in a row materialised already due (catch_up 'all' stops after a bound)
      backlog_runs integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK ((cron IS NULL) <> (every_ms IS NULL)),
      CHECK ((url IS NULL) <> (task_type IS NULL))
    )`);
  // GET /schedules, newest first per owner.
  await knex.raw('CREATE INDEX schedules_owner_created ON schedules (owner_id, created_at DESC, id DESC)');
  // The triggers' repair sweep: chain heads long overdue.
  await knex.raw('CREATE INDEX schedules_next_instant ON schedules (next_instant) WHERE next_instant IS NOT NULL');
  await knex.raw(`
    ALTER TABLE timers
      ADD COLUMN schedule_id uuid,
      ADD COLUMN schedule_instant timestamptz,
      DROP CONSTRAINT timers_state_check,
      ADD CONSTRAINT timers_state_check CHECK (state IN ('scheduled', 'firing', 'retrying', 'delivered', 'failed', 'cancelled', 'skipped'))`);
  // A schedule's runs: its last runs, GET /timers?schedule_id=, a run still in flight (overlap).
  await knex.raw('CREATE INDEX timers_schedule_runs ON timers (schedule_id, created_at DESC, id DESC) WHERE schedule_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE timers SET state = 'cancelled' WHERE state = 'skipped'`);
  await knex.raw('DROP INDEX timers_schedule_runs');
  await knex.raw(`
    ALTER TABLE timers
      DROP COLUMN schedule_id,
      DROP COLUMN schedule_instant,
      DROP CONSTRAINT timers_state_check,
      ADD CONSTRAINT timers_state_check CHECK (state IN ('scheduled', 'firing', 'retrying', 'delivered', 'failed', 'cancelled'))`);
  await knex.raw('DROP TABLE schedules');
}
