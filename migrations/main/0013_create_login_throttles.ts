// Failed logins, counted per account (the email as typed, registered or not) and per client address,
// shared by every webserver replica: POST /token reads the two rows of a login by their primary key
// and refuses while either is in its backoff delay (webserver/auth/login-throttle.ts). Rows are written only
// on a failure and deleted on the account's successful login or once forgotten.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE login_throttles (
      kind text NOT NULL CHECK (kind IN ('account', 'address')),
      -- the normalised email, or the client address (an IPv6 client's /64)
      subject text NOT NULL,
      -- failures since the record was last forgotten or reset
      failures integer NOT NULL CHECK (failures > 0),
      last_failure_at timestamptz NOT NULL,
      PRIMARY KEY (kind, subject)
    )`);
  // The sweep of forgotten records.
  await knex.raw('CREATE INDEX login_throttles_last_failure_at ON login_throttles (last_failure_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE login_throttles');
}
