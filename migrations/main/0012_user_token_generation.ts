// Revoking a user's tokens: each token carries the generation of the user's tokens it was issued in
// (claim `gen`); a password change or a logout everywhere moves the user to the next generation, and a
// token of an earlier one is refused. A counter, not an instant: nothing depends on the clocks of the
// webservers agreeing, nor on the one-second resolution of `iat`. Tokens issued before this column
// carry no `gen` and count as generation 0, so they stay valid until the first revocation.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A constant default: PostgreSQL adds the column without rewriting the table.
  await knex.raw('ALTER TABLE users ADD COLUMN token_generation integer NOT NULL DEFAULT 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP COLUMN token_generation');
}
