// A task's outcome told without polling: a task may name result_url (told when it succeeds or fails for
// good), callback_url (when it succeeds) and failure_callback_url (when it fails for good). Each callback
// is a timer of the task's owner whose callback_of is the task (migration 0017). series counts the task's
// runs from the start, 1 then one more per POST /tasks/{id}/retry: a retry starts attempts over at 0, so
// only series tells the outcome of one run from that of the next, and each has callbacks of its own.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE tasks
      ADD COLUMN result_url text,
      ADD COLUMN callback_url text,
      ADD COLUMN failure_callback_url text,
      ADD COLUMN series integer NOT NULL DEFAULT 1`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE tasks
      DROP COLUMN result_url,
      DROP COLUMN callback_url,
      DROP COLUMN failure_callback_url,
      DROP COLUMN series`);
}
