// A timer-db shard's timers_to_fire table: timers not yet handed to a trigger, and pollers' leases on them.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE timers_to_fire (
      id uuid PRIMARY KEY,
      url text NOT NULL,
      fire_at timestamptz NOT NULL,
      -- a poller's claim: the row is held in its memory until fire_at; free again once lease_until passes
      lease_until timestamptz,
      leased_by text
    )`);
  await knex.raw('CREATE INDEX timers_to_fire_fire_at ON timers_to_fire (fire_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE timers_to_fire');
}
