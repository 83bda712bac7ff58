// Retention: timers, tasks and access-log records are partitioned by id, a partition per UTC day of
// issue (ids are UUIDv7, whose first 48 bits are the instant they were issued), so that what has expired
// is removed a whole partition at a time (DETACH and DROP) instead of row by row. Partitions:
//   <table>_pYYYYMMDD  the ids issued on that day (the retention process makes them days ahead);
//   <table>_history    every id issued before the day this migration ran (the rows it found; a table
//                      found empty: before 2020);
//   <table>_default    ids outside every range (ids that are not UUIDv7, or issued on a day whose
//                      partition is gone or not made yet).
// Timers and tasks gain retention_s (their own ask) and expires_at (null while pending; when finished,
// the instant the retention process may remove them). Rows found finished here expire counted from when
// they ended, with the default retentions (7 days, failed ones 30). The indexes keep their names; the
// unique cursor index of log_records becomes a plain one (a unique index of a partitioned table must
// hold its partition key), its seq an ordinary sequence (PostgreSQL 15 has no identity column on a
// partitioned table). Every row is copied across, both ways.
import type { Knex } from 'knex';

const DAY_MS = 86_400_000;
const DAYS_AHEAD = 3;
const EMPTY_HISTORY_TO = Date.UTC(2020, 0, 1);
const TABLES = ['timers', 'tasks', 'log_records'] as const;
type Table = (typeof TABLES)[number];

/** The smallest uuid issued at `ms`: its 48-bit prefix, zeros after. */
function idBound(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`;
}

const dayName = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');

// When a row found finished expires: when it ended plus its outcome's default retention.
const WEEK = `interval '7 days'`;
const MONTH = `interval '30 days'`;
const LEGACY_EXPIRY: Partial<Record<Table, string>> = {
  timers: `CASE state
             WHEN 'delivered' THEN coalesce(delivered_at, last_attempt_at, created_at) + ${WEEK}
             WHEN 'failed' THEN coalesce(last_attempt_at, created_at) + ${MONTH}
             WHEN 'cancelled' THEN greatest(created_at, least(fire_at, now())) + ${WEEK}
             WHEN 'skipped' THEN greatest(created_at, least(fire_at, now())) + ${WEEK}
           END`,
  tasks: `CASE state
            WHEN 'succeeded' THEN coalesce(finished_at, created_at) + ${WEEK}
            WHEN 'cancelled' THEN coalesce(finished_at, created_at) + ${WEEK}
            WHEN 'failed' THEN coalesce(finished_at, created_at) + ${MONTH}
          END`,
};

async function columnsOf(knex: Knex, table: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ column_name: string }> }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER'
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => row.column_name);
}

async function indexesOf(knex: Knex, table: string): Promise<Array<{ name: string; definition: string }>> {
  const { rows } = await knex.raw<{ rows: Array<{ name: string; definition: string }> }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = ? AND indexname <> ?
      ORDER BY indexname`,
    [table, `${table}_pkey`],
  );
  return rows;
}

/** Copies `from` into `to` (both existing), column for column, `expiry` in place of expires_at. */
async function copyRows(knex: Knex, from: string, to: string, columns: string[], expiry?: string): Promise<void> {
  const list = columns.map((c) => `"${c}"`).join(', ');
  const values = columns.map((c) => (c === 'expires_at' && expiry ? `(${expiry})` : `"${c}"`)).join(', ');
  await knex.raw(`INSERT INTO "${to}" (${list}) SELECT ${values} FROM "${from}"`);
}

async function partition(knex: Knex, table: Table, today: number): Promise<void> {
  if (table !== 'log_records') {
    await knex.raw(`ALTER TABLE ${table} ADD COLUMN retention_s integer CHECK (retention_s > 0), ADD COLUMN expires_at timestamptz`);
  }
  const indexes = (await indexesOf(knex, table)).map((index) =>
    // A unique index of a partitioned table must hold the partition key: the cursor's becomes a plain one.
    index.name === 'log_records_cursor' ? { ...index, definition: index.definition.replace('CREATE UNIQUE INDEX', 'CREATE INDEX') } : index,
  );
  const columns = await columnsOf(knex, table);
  const parted = `${table}_parted`;
  await knex.raw(`CREATE TABLE ${parted} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED) PARTITION BY RANGE (id)`);
  // The rows found here go to the history partition; a table still empty gets one that ends in 2020
  // (ids of any later day then find a day partition once it is made).
  const { rows: found } = await knex.raw<{ rows: unknown[] }>(`SELECT 1 FROM ${table} LIMIT 1`);
  const historyTo = found.length > 0 ? today : EMPTY_HISTORY_TO;
  await knex.raw(`CREATE TABLE ${table}_history PARTITION OF ${parted} FOR VALUES FROM (MINVALUE) TO ('${idBound(historyTo)}')`);
  for (let day = today; day <= today + DAYS_AHEAD * DAY_MS; day += DAY_MS) {
    await knex.raw(`CREATE TABLE ${table}_p${dayName(day)} PARTITION OF ${parted} FOR VALUES FROM ('${idBound(day)}') TO ('${idBound(day + DAY_MS)}')`);
  }
  await knex.raw(`CREATE TABLE ${table}_default PARTITION OF ${parted} DEFAULT`);
  await copyRows(knex, table, parted, columns, LEGACY_EXPIRY[table]);
  await knex.raw(`DROP TABLE ${table}`);
  await knex.raw(`ALTER TABLE ${parted} RENAME TO ${table}`);
  await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id)`);
  for (const index of indexes) await knex.raw(index.definition);
  if (table !== 'log_records') await knex.raw(`CREATE INDEX ${table}_expires_at ON ${table} (expires_at)`);
  else {
    await knex.raw(`CREATE SEQUENCE log_records_seq OWNED BY log_records.seq`);
    await knex.raw(`SELECT setval('log_records_seq', coalesce((SELECT max(seq) FROM log_records), 0) + 1, false)`);
    await knex.raw(`ALTER TABLE log_records ALTER COLUMN seq SET DEFAULT nextval('log_records_seq')`);
  }
}

async function unpartition(knex: Knex, table: Table): Promise<void> {
  const indexes = (await indexesOf(knex, table)).filter((index) => index.name !== `${table}_expires_at`);
  const plain = `${table}_plain`;
  await knex.raw(`CREATE TABLE ${plain} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
  // seq's default names the partitioned table's own sequence, which goes with it.
  if (table === 'log_records') await knex.raw(`ALTER TABLE ${plain} ALTER COLUMN seq DROP DEFAULT`);
  await copyRows(knex, table, plain, await columnsOf(knex, table));
  await knex.raw(`DROP TABLE ${table}`);
  await knex.raw(`ALTER TABLE ${plain} RENAME TO ${table}`);
  await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id)`);
  for (const index of indexes) {
    await knex.raw(index.name === 'log_records_cursor' ? index.definition.replace('CREATE INDEX', 'CREATE UNIQUE INDEX') : index.definition);
  }
  if (table !== 'log_records') await knex.raw(`ALTER TABLE ${table} DROP COLUMN retention_s, DROP COLUMN expires_at`);
  else {
    // The sequence went with the partitioned table; seq is an identity column again, going on from its largest value.
    const { rows } = await knex.raw<{ rows: Array<{ next: string }> }>(`SELECT coalesce(max(seq), 0) + 1 AS next FROM log_records`);
    await knex.raw(`ALTER TABLE log_records ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (START WITH ${Number(rows[0]!.next)})`);
  }
}

export async function up(knex: Knex): Promise<void> {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  for (const table of TABLES) await partition(knex, table, today);
  await knex.raw(`ALTER TABLE schedules ADD COLUMN retention_s integer CHECK (retention_s > 0)`);
  // Ids issued before removed_before may have had their rows removed: an unknown one of them is "expired".
  await knex.raw(`
    CREATE TABLE retention_removals (
      table_name text PRIMARY KEY,
      removed_before timestamptz NOT NULL
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE retention_removals');
  // IF EXISTS: schedules may have been made again since (0014 down and up alone).
  await knex.raw('ALTER TABLE schedules DROP COLUMN IF EXISTS retention_s');
  for (const table of TABLES) await unpartition(knex, table);
}
