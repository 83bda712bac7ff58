// The SQL of the main database's log_records table: the consumer's inserts and the webserver's reads
// in cursor order.
//
// Reading in cursor order: every row carries the id of the transaction that inserted
// it (xid) and a serial (seq). A reader returns only rows whose transaction is older than its snapshot's
// xmin: every transaction below xmin has finished, and any transaction still to commit has an xid of at
// least xmin, so no row can later appear before one already handed out. Ordered by (xid, seq), a cursor
// (the position of the last record read) therefore never skips a record and never repeats one, however
// many consumers commit concurrently and out of order (docs/architecture.md, "The log cursor").
//
// The consumer inserts one batch per statement; the row's xid (the inserting transaction) and seq are
// filled in by their column defaults and give the cursor order. Idempotent (ON CONFLICT DO NOTHING): a
// redelivered message does not add a record twice.
import type { Pool } from '../db/pool.js';
import type { HttpMethod } from '../messages/access-log-line.js';
import type { IncomingLog } from '../messages/log-message.js';

export interface LogRecordRow {
  id: string;
  created: Date;
  ip: string;
  method: HttpMethod;
  uri: string;
  status_code: number;
}

/** A position in cursor order: after the record with this (xid, seq). */
export interface LogCursor {
  xid: string;
  seq: number;
}

export const START_OF_LOG: LogCursor = { xid: '0', seq: 0 };

type Queryable = Pick<Pool, 'query'>;

/** The position of a record, or null when no record has that id (yet). */
export async function cursorOf(db: Queryable, id: string): Promise<LogCursor | null> {
  const result = await db.query<LogCursor>('SELECT xid::text AS xid, seq FROM log_records WHERE id = $1', [id]);
  return result.rows[0] ?? null;
}

/** Up to `limit` records after `after`, in cursor order; only records no earlier one can still join. */
export async function readLogRecords(db: Queryable, after: LogCursor, limit: number): Promise<LogRecordRow[]> {
  const result = await db.query<LogRecordRow>(
    `SELECT id, created, ip, method, uri, status_code
       FROM log_records
      WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
        AND (xid, seq) > ($1::xid8, $2::bigint)
      ORDER BY xid, seq
      LIMIT $3`,
    [after.xid, after.seq, limit],
  );
  return result.rows;
}

/** insertLogRecords(db, logs): one multi-row insert, in the order given. */
export async function insertLogRecords(db: Pick<Pool, 'query'>, logs: IncomingLog[]): Promise<void> {
  await db.query(
    `INSERT INTO log_records (id, created, ip, method, uri, status_code)
     SELECT id, to_timestamp(created / 1000.0), ip, method, uri, status_code
       FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::int[])
            WITH ORDINALITY AS t(id, created, ip, method, uri, status_code, n)
      ORDER BY n
     ON CONFLICT (id) DO NOTHING`,
    [logs.map((l) => l.id), logs.map((l) => l.created), logs.map((l) => l.ip), logs.map((l) => l.method), logs.map((l) => l.uri), logs.map((l) => l.status_code)],
  );
}

/**
 * deleteOldLogRecords(db, partition, beforeMs, limit, asLines): deletes up to `limit` records of the
 * partition (the history or the default one) created before beforeMs; returns them as JSON lines when asLines.
 */
export async function deleteOldLogRecords(db: Queryable, partition: string, beforeMs: number, limit: number, asLines: boolean): Promise<string[]> {
  if (!/^log_records_[a-z0-9_]+$/.test(partition)) throw new Error(`not a log_records partition: ${partition}`);
  const { rows } = await db.query<{ line: string }>(
    `DELETE FROM ${partition} AS t WHERE ctid = ANY (ARRAY (SELECT ctid FROM ${partition} WHERE created < to_timestamp($1 / 1000.0) LIMIT $2))
     RETURNING ${asLines ? 'to_jsonb(t)::text' : `''`} AS line`,
    [beforeMs, limit],
  );
  return rows.map((row) => row.line);
}
