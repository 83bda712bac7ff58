// Per-timer webhook requests: a method, extra headers and a body of the timer's own (null: the plain
// POST {"id": ...}). The body is kept as the exact JSON text that will be sent.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE timers
      ADD COLUMN method text CHECK (method IN ('POST', 'PUT', 'PATCH')),
      ADD COLUMN headers jsonb,
      ADD COLUMN body text`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE timers DROP COLUMN method, DROP COLUMN headers, DROP COLUMN body');
}
