// Users: accounts with an scrypt password hash, a role, and the instant their registration
// mail went out (the idempotency record of send_registration_email). Timers and tasks get an owner:
// null for those created without a token. No foreign key: a deleted user's timers still fire and its
// tasks still run, visible to admins only.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      -- normalised (trimmed, lower-case) before it is stored
      email text NOT NULL CHECK (email = lower(btrim(email))),
      name text,
      password_hash text NOT NULL,
      role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      registration_mail_sent_at timestamptz
    )`);
  // Two registrations of one email race to this index: exactly one insert wins, the other gets 23505.
  await knex.raw(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
  await knex.raw(`ALTER TABLE timers ADD COLUMN owner_id uuid`);
  await knex.raw(`ALTER TABLE tasks ADD COLUMN owner_id uuid`);
  await knex.raw(`CREATE INDEX timers_owner_created_at ON timers (owner_id, created_at DESC, id DESC)`);
  await knex.raw(`CREATE INDEX tasks_owner_id ON tasks (owner_id, id DESC)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_owner_id');
  await knex.raw('DROP INDEX timers_owner_created_at');
  await knex.raw('ALTER TABLE tasks DROP COLUMN owner_id');
  await knex.raw('ALTER TABLE timers DROP COLUMN owner_id');
  await knex.raw('DROP TABLE users');
}
