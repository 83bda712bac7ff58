// Room on every page of timers_to_fire for a second version of its rows: a poller's lease (lease_until,
// leased_by, neither indexed) is then a HOT update, written beside the row without new entries in the
// primary key or the fire_at index. With pages filled to the brim the new version went to another page
// and both indexes were written again for each lease. A poll leases rows in fire_at order, which is
// mostly the order they were written in, so whole pages are leased by one statement: half of each page
// is left free (a leased row is larger than a fresh one, so a poll of whole pages still writes about
// one lease in five the old way). The table holds only the timers not yet fired.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE timers_to_fire SET (fillfactor = 50)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE timers_to_fire RESET (fillfactor)');
}
