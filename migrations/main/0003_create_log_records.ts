// The main database's log_records table (the access-log store): every accepted access-log line, in the order the
// cursor hands them out. xid is the inserting transaction's id and seq a serial within it; readers only
// return rows of transactions older than their snapshot's xmin, ordered by (xid, seq), so a row can never
// appear before a row that precedes it (docs/architecture.md, "The log cursor").
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE log_records (
      id uuid PRIMARY KEY,
      xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      seq bigint GENERATED ALWAYS AS IDENTITY,
      created timestamptz NOT NULL,
      ip text NOT NULL,
      method text NOT NULL,
      uri text NOT NULL,
      status_code smallint NOT NULL CHECK (status_code BETWEEN 100 AND 599)
    )`);
  await knex.raw('CREATE UNIQUE INDEX log_records_cursor ON log_records (xid, seq)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE log_records');
}
