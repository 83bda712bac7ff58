// The newest tasks of one state (the dashboard's failed tasks), read from an index instead of a scan:
// tasks_type_state leads with the type, tasks_created has no state.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX tasks_state_id ON tasks (state, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_state_id');
}
