// Pausing task execution by type: task_type_pauses holds one row per paused type (until: when the pause
// ends by itself; null: until resumed). A worker that takes a task of a paused type does not run it: the
// task turns 'held' and its message is acked; once the pause is over, held tasks are published again,
// oldest first (tasks_held), and turn 'queued'.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE task_type_pauses (
      type text PRIMARY KEY,
      paused_at timestamptz NOT NULL,
      until timestamptz
    )`);
  await knex.raw(`
    ALTER TABLE tasks
      DROP CONSTRAINT tasks_state_check,
      ADD CONSTRAINT tasks_state_check CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'held'))`);
  // The held tasks, by type, in submission order: what a release reads.
  await knex.raw(`CREATE INDEX tasks_held ON tasks (created_at, id) WHERE state = 'held'`);
}

export async function down(knex: Knex): Promise<void> {
  // A held task has no message any more: without its state it would wait for nothing. It fails with
  // the reason, where an operator finds it (GET /tasks?state=failed).
  await knex.raw(`
    UPDATE tasks SET state = 'failed', finished_at = now(),
                     error = 'held for a paused task type when task pauses were removed (migration 0016 rolled back); submit it again'
     WHERE state = 'held'`);
  await knex.raw('DROP INDEX tasks_held');
  await knex.raw(`
    ALTER TABLE tasks
      DROP CONSTRAINT tasks_state_check,
      ADD CONSTRAINT tasks_state_check CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`);
  await knex.raw('DROP TABLE task_type_pauses');
}
