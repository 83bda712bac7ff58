// The day partitions of timers, tasks and log_records (migration main 0020): each holds the ids issued
// on one UTC day (ids are UUIDv7: their first 48 bits are the instant of issue), besides <table>_history
// (everything issued before the migration ran) and <table>_default (ids outside every range). This
// module owns their DDL: making partitions ahead, and removing a partition or rewriting it with the rows
// still kept, each in one transaction that rechecks under a lock what the caller decided without one.
import { inTransaction, type Pool, type PoolClient, type Queryable } from '../db/pool.js';

export const PARTITIONED_TABLES = ['timers', 'tasks', 'log_records'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

export const DAY_MS = 86_400_000;

/** A partition as the retention process sees it: its name and the span of issue instants it holds. */
export interface PartitionInfo {
  name: string;
  kind: 'day' | 'history' | 'default';
  /** epoch ms: the first issue instant it holds (null: from the beginning, or the default) */
  from: number | null;
  /** epoch ms: the first issue instant past it (null: the default) */
  to: number | null;
}

export const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** The smallest uuid issued at `ms` (its 48-bit prefix, zeros after): a partition bound. */
export function idBound(ms: number): string {
  const hex = Math.max(0, Math.trunc(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`;
}

export const dayPartitionName = (table: PartitionedTable, dayMs: number): string => `${table}_p${new Date(dayMs).toISOString().slice(0, 10).replace(/-/g, '')}`;

function parseName(table: PartitionedTable, name: string, historyTo: number | null): PartitionInfo | null {
  if (name === `${table}_default`) return { name, kind: 'default', from: null, to: null };
  if (name === `${table}_history`) return { name, kind: 'history', from: null, to: historyTo };
  const day = /^.+_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!day || !name.startsWith(`${table}_p`)) return null;
  const from = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  return { name, kind: 'day', from, to: from + DAY_MS };
}

/** The table's partitions, day partitions in day order. */
export async function listPartitions(db: Queryable, table: PartitionedTable): Promise<PartitionInfo[]> {
  const { rows } = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass`,
    [table],
  );
  const history = rows.find((row) => row.name === `${table}_history`);
  const historyTo = history ? issuedAtOfBound(history.bound) : null;
  return rows
    .map((row) => parseName(table, row.name, historyTo))
    .filter((p): p is PartitionInfo => p !== null)
    .sort((a, b) => (a.from ?? -1) - (b.from ?? -1));
}

// "FOR VALUES FROM (MINVALUE) TO ('01a24dcc-d800-0000-0000-000000000000')": the instant of the upper bound.
function issuedAtOfBound(bound: string): number | null {
  const to = /TO \('([0-9a-f]{8})-([0-9a-f]{4})-/.exec(bound);
  return to ? parseInt(`${to[1]}${to[2]}`, 16) : null;
}

// SQLSTATE check_violation: the default partition holds rows of the range being made.
const CHECK_VIOLATION = '23514';
// SQLSTATE duplicate_table: another process made it first.
const DUPLICATE_TABLE = '42P07';

/**
 * ensureDayPartitions(db, table, fromMs, toMs): makes the missing day partitions covering [fromMs,
 * toMs); returns the names made. Rows of such a day already in the default partition (an id issued for
 * a day ahead of the partitions, or by a schedule's run far ahead) are moved into it in the same
 * transaction.
 */
export async function ensureDayPartitions(db: Pool, table: PartitionedTable, fromMs: number, toMs: number): Promise<string[]> {
  const existing = new Set((await listPartitions(db, table)).map((p) => p.name));
  const made: string[] = [];
  for (let day = dayStart(fromMs); day < toMs; day += DAY_MS) {
    const name = dayPartitionName(table, day);
    if (existing.has(name)) continue;
    const range = `FOR VALUES FROM ('${idBound(day)}') TO ('${idBound(day + DAY_MS)}')`;
    try {
      await db.query(`CREATE TABLE ${name} PARTITION OF ${table} ${range}`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === DUPLICATE_TABLE) continue;
      if (code !== CHECK_VIOLATION) throw err;
      await inTransaction(db, async (client) => {
        await client.query(`LOCK TABLE ${table}_default IN EXCLUSIVE MODE`);
        await client.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING ALL)`);
        const columns = await insertableColumns(client, table);
        await client.query(
          `WITH moved AS (DELETE FROM ${table}_default WHERE id >= $1 AND id < $2 RETURNING *)
           INSERT INTO ${name} (${columns}) SELECT ${columns} FROM moved`,
          [idBound(day), idBound(day + DAY_MS)],
        );
        await client.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} ${range}`);
      });
    }
    made.push(name);
  }
  return made;
}

/** The table's columns a row copy writes (not the generated ones), as a quoted list. */
async function insertableColumns(db: Queryable, table: PartitionedTable): Promise<string> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => `"${row.column_name}"`).join(', ');
}

/** tableBytes(db, table): the table's size on disk, every partition with its indexes and TOAST. */
export async function tableBytes(db: Queryable, table: PartitionedTable): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>(`SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS bytes FROM pg_partition_tree($1::regclass)`, [table]);
  return Number(rows[0]!.bytes);
}

/** What a removal under lock found: done, called off (the recheck found rows to keep), or the lock was not had in time. */
export type RemovalResult = 'done' | 'kept' | 'busy';

// SQLSTATE lock_not_available: the lock timeout ran out.
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * underPartitionLock(db, partition, lockTimeoutMs, work): runs work in a transaction that first locks
 * the partition against writes (reads go on), so that what work rechecks cannot change before it commits.
 * 'busy' when a lock (this one, or the table's that detaching takes) was not had within the timeout:
 * the hot path waits no longer than that, and the caller tries again at its next sweep.
 */
async function underPartitionLock(db: Pool, partition: string, lockTimeoutMs: number, work: (client: PoolClient) => Promise<boolean>): Promise<RemovalResult> {
  try {
    return await inTransaction(db, async (client) => {
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [String(lockTimeoutMs)]);
      await client.query(`LOCK TABLE ${partition} IN SHARE MODE`);
      return (await work(client)) ? 'done' : 'kept';
    });
  } catch (err) {
    if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return 'busy';
    throw err;
  }
}

/**
 * dropPartition(db, table, partition, removable, lockTimeoutMs): detaches and drops the partition if
 * `removable` (run under the lock) still says so.
 */
export async function dropPartition(db: Pool, table: PartitionedTable, partition: string, removable: (client: PoolClient) => Promise<boolean>, lockTimeoutMs: number): Promise<RemovalResult> {
  return underPartitionLock(db, partition, lockTimeoutMs, async (client) => {
    if (!(await removable(client))) return false;
    await client.query(`ALTER TABLE ${table} DETACH PARTITION ${partition}`);
    await client.query(`DROP TABLE ${partition}`);
    return true;
  });
}

/**
 * compactPartition(db, table, partition, keptWhere, lockTimeoutMs): rewrites the partition with only
 * the rows matching `keptWhere` (SQL over its columns): a copy of those rows takes its place (detach,
 * attach) and the old one is dropped, which gives its whole size back. The copy carries its range as
 * a check, so attaching it reads nothing.
 */
export async function compactPartition(db: Pool, table: PartitionedTable, partition: PartitionInfo, keptWhere: string, lockTimeoutMs: number): Promise<RemovalResult> {
  const name = partition.name;
  const copy = `${name}_compacted`;
  const lower = partition.from === null ? 'MINVALUE' : `'${idBound(partition.from)}'`;
  const range = `FOR VALUES FROM (${lower}) TO ('${idBound(partition.to!)}')`;
  const check = partition.from === null ? `id < '${idBound(partition.to!)}'` : `id >= '${idBound(partition.from)}' AND id < '${idBound(partition.to!)}'`;
  return underPartitionLock(db, name, lockTimeoutMs, async (client) => {
    await client.query(`CREATE TABLE ${copy} (LIKE ${table} INCLUDING ALL)`);
    await client.query(`ALTER TABLE ${copy} ADD CONSTRAINT ${copy}_range CHECK (${check})`);
    const columns = await insertableColumns(client, table);
    await client.query(`INSERT INTO ${copy} (${columns}) SELECT ${columns} FROM ${name} WHERE ${keptWhere}`);
    await client.query(`ALTER TABLE ${table} DETACH PARTITION ${name}`);
    await client.query(`DROP TABLE ${name}`);
    await client.query(`ALTER TABLE ${copy} RENAME TO ${name}`);
    await client.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} ${range}`);
    await client.query(`ALTER TABLE ${name} DROP CONSTRAINT ${copy}_range`);
    return true;
  });
}
