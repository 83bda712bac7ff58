// A task that names a flow-control key keeps it in its row, so that its retries (timers the worker
// publishes after a failed attempt) wait on the same key as its first start.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE tasks ADD COLUMN flow_key text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE tasks DROP COLUMN flow_key');
}
