// Background tasks: the tasks table, a generated column naming the task a timer dispatches
// (a delayed task is a timer whose url is "task:<task id>"), and the random-user service's random_users table.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE tasks (
      id uuid PRIMARY KEY,
      type text NOT NULL,
      args jsonb NOT NULL,
      state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      result jsonb,
      error text,
      -- deliveries started; a task whose start would exceed max_attempts is failed and dead-lettered
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      timeout_ms integer NOT NULL,
      -- when the task may start (a delayed task, or the next retry)
      run_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      finished_at timestamptz,
      -- the worker (host:pid) running or last running it
      worker text
    )`);
  await knex.raw('CREATE INDEX tasks_created ON tasks (id DESC)');
  await knex.raw('CREATE INDEX tasks_type_state ON tasks (type, state)');
  await knex.raw(`
    ALTER TABLE timers ADD COLUMN task_id uuid
      GENERATED ALWAYS AS (CASE WHEN url LIKE 'task:%' THEN substr(url, 6)::uuid END) STORED`);
  await knex.raw(`
    CREATE TABLE random_users (
      id bigserial PRIMARY KEY,
      fetched_at timestamptz NOT NULL DEFAULT now(),
      gender text,
      title text,
      first_name text,
      last_name text,
      email text,
      username text,
      country text,
      phone text,
      -- the upstream's whole record, as it was received
      raw jsonb NOT NULL
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE random_users');
  await knex.raw('ALTER TABLE timers DROP COLUMN task_id');
  await knex.raw('DROP TABLE tasks');
}
