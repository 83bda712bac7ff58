// Outcomes told without polling: a timer (or a schedule's runs) may name a callback URL, called after
// a successful delivery, and a failure callback URL, called once it has failed for good. A callback is
// itself a timer of the same owner (callback_of: the timer or task whose outcome it tells, and which
// outcome), so it is stored, retried, signed and limited like any webhook, and shown with its parent.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE timers
      ADD COLUMN callback_url text,
      ADD COLUMN failure_callback_url text,
      -- a callback: the timer or task whose outcome it tells, and that outcome
      ADD COLUMN callback_of uuid,
      ADD COLUMN callback_outcome text CHECK (callback_outcome IN ('delivered', 'failed', 'succeeded')),
      ADD CONSTRAINT timers_callback_check CHECK ((callback_of IS NULL) = (callback_outcome IS NULL))`);
  // A timer's (or task's) callbacks, read with it.
  await knex.raw('CREATE INDEX timers_callback_of ON timers (callback_of) WHERE callback_of IS NOT NULL');
  await knex.raw(`
    ALTER TABLE schedules
      ADD COLUMN callback_url text,
      ADD COLUMN failure_callback_url text`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE schedules DROP COLUMN callback_url, DROP COLUMN failure_callback_url');
  await knex.raw('DROP INDEX timers_callback_of');
  await knex.raw(`
    ALTER TABLE timers
      DROP CONSTRAINT timers_callback_check,
      DROP COLUMN callback_url,
      DROP COLUMN failure_callback_url,
      DROP COLUMN callback_of,
      DROP COLUMN callback_outcome`);
}
