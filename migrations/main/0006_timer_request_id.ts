// The id of the HTTP request that created a timer (x-request-id), so that the trigger's webhook attempt
// logs carry it: one request can be followed from the webserver through every queue hop.
// Nullable without a default: adding it rewrites nothing.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE timers ADD COLUMN request_id text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE timers DROP COLUMN request_id');
}
