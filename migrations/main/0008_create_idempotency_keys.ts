// Idempotency-Key of POST /timer: which timer a key made, for which request, kept 24 hours.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE idempotency_keys (
      key text PRIMARY KEY,
      -- sha256 of the request body's canonical JSON: the same key with another body is refused
      request_hash text NOT NULL,
      timer_id uuid NOT NULL,
      fire_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL
    )`);
  await knex.raw('CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE idempotency_keys');
}
