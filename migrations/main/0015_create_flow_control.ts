// Flow control: keys that limit how fast (rate per period) and how many at once (parallelism) their
// timers are delivered, shared by every trigger; pauses of a key, of a callback host (a 429 or 503
// with Retry-After) or of all deliveries. A timer names its key (timers.flow_key, its owner's); a
// timer that finds no capacity waits as 'held' on the key that held it (held_on), in due order, until
// a trigger releases it. A delivery in flight holds a lease on its key, which lapses by itself when
// its trigger dies.
import type { Knex } from 'knex';

const STATES = ['scheduled', 'firing', 'retrying', 'delivered', 'failed', 'cancelled', 'skipped'];
const stateCheck = (states: string[]) => `CHECK (state IN (${states.map((s) => `'${s}'`).join(', ')}))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE flow_keys (
      -- derived from (kind, owner, key): every process finds a key's row without a lookup
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('key', 'host', 'deliveries')),
      owner_id uuid,
      key text NOT NULL,
      rate integer CHECK (rate > 0),
      period_s integer NOT NULL DEFAULT 1 CHECK (period_s > 0),
      parallelism integer CHECK (parallelism > 0),
      -- 'infinity': paused until resumed; null or past: not paused
      paused_until timestamptz,
      pause_reason text,
      -- the rate's clock: the earliest instant the next delivery may start
      next_slot_at timestamptz,
      -- timers waiting on this key ('held' with held_on = id)
      held integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
  // GET /flow-control, per owner in key order.
  await knex.raw(`CREATE INDEX flow_keys_owner_key ON flow_keys ((coalesce(owner_id::text, '')), key) WHERE kind = 'key'`);
  // The triggers' and the admin's reads of the paused hosts and of the deliveries pause.
  await knex.raw(`CREATE INDEX flow_keys_paused ON flow_keys (paused_until) WHERE kind <> 'key'`);
  // The triggers' release sweep: keys with timers waiting.
  await knex.raw('CREATE INDEX flow_keys_waiting ON flow_keys (id) WHERE held > 0');
  await knex.raw(`
    CREATE TABLE flow_leases (
      key_id uuid NOT NULL REFERENCES flow_keys (id) ON DELETE CASCADE,
      timer_id uuid NOT NULL,
      -- the delivery may start at this instant (the key's rate), not before
      start_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (key_id, timer_id)
    )`);
  await knex.raw(`
    ALTER TABLE timers
      ADD COLUMN flow_key text,
      ADD COLUMN held_on uuid,
      DROP CONSTRAINT timers_state_check,
      ADD CONSTRAINT timers_state_check ${stateCheck([...STATES, 'held'])}`);
  // A schedule's runs name its key.
  await knex.raw('ALTER TABLE schedules ADD COLUMN flow_key text');
  // A key's waiting timers in due order (a retry's due time is its next attempt's).
  await knex.raw(`CREATE INDEX timers_held ON timers (held_on, (coalesce(next_attempt_at, fire_at)), id) WHERE state = 'held'`);
}

export async function down(knex: Knex): Promise<void> {
  // A held timer was waiting for its attempt: it is pending again, due as it was.
  await knex.raw(`UPDATE timers SET state = CASE WHEN next_attempt_at IS NULL THEN 'scheduled' ELSE 'retrying' END WHERE state = 'held'`);
  await knex.raw('DROP INDEX timers_held');
  await knex.raw('ALTER TABLE schedules DROP COLUMN flow_key');
  await knex.raw(`
    ALTER TABLE timers
      DROP COLUMN flow_key,
      DROP COLUMN held_on,
      DROP CONSTRAINT timers_state_check,
      ADD CONSTRAINT timers_state_check ${stateCheck(STATES)}`);
  await knex.raw('DROP TABLE flow_leases');
  await knex.raw('DROP TABLE flow_keys');
}
