// The main database's timers table: every timer ever accepted, its due time and its delivery outcome.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE timers (
      id uuid PRIMARY KEY,
      url text NOT NULL,
      fire_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      state text NOT NULL DEFAULT 'scheduled'
        CHECK (state IN ('scheduled', 'firing', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      -- while state = 'firing': until when the claiming trigger owns the delivery
      claim_expires_at timestamptz,
      last_attempt_at timestamptz,
      last_status integer,
      last_error text,
      delivered_at timestamptz
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE timers');
}
