// Retries and their record: per-timer retry settings (null: the configured default), the instant of
// the next attempt while retrying, every attempt's outcome, and the states retrying and cancelled.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE timers
      DROP CONSTRAINT timers_state_check,
      ADD CONSTRAINT timers_state_check
        CHECK (state IN ('scheduled', 'firing', 'retrying', 'delivered', 'failed', 'cancelled')),
      ADD COLUMN max_attempts integer,
      ADD COLUMN timeout_ms integer,
      ADD COLUMN retry_backoff_ms integer,
      ADD COLUMN retry_max_backoff_ms integer,
      -- while state = 'retrying': when the next attempt is due
      ADD COLUMN next_attempt_at timestamptz,
      -- [{attempt, series, started_at, duration_ms, status, error}, ...], oldest first
      ADD COLUMN attempt_log jsonb NOT NULL DEFAULT '[]',
      -- 1, then one more per replay; attempts counts the attempts of the current series
      ADD COLUMN series integer NOT NULL DEFAULT 1`);
  await knex.raw(`CREATE INDEX timers_state_created_at ON timers (state, created_at DESC, id DESC)`);
  await knex.raw(`CREATE INDEX timers_created_at ON timers (created_at DESC, id DESC)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX timers_created_at');
  await knex.raw('DROP INDEX timers_state_created_at');
  await knex.raw(`UPDATE timers SET state = 'failed' WHERE state IN ('retrying', 'cancelled')`);
  await knex.raw(`
    ALTER TABLE timers
      DROP CONSTRAINT timers_state_check,
      ADD CONSTRAINT timers_state_check CHECK (state IN ('scheduled', 'firing', 'delivered', 'failed')),
      DROP COLUMN max_attempts,
      DROP COLUMN timeout_ms,
      DROP COLUMN retry_backoff_ms,
      DROP COLUMN retry_max_backoff_ms,
      DROP COLUMN next_attempt_at,
      DROP COLUMN attempt_log,
      DROP COLUMN series`);
}
