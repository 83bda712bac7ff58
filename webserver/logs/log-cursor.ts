// Reads access-log records in cursor order. Every row carries the id of the transaction that inserted
// it (xid) and a serial (seq). A reader returns only rows whose transaction is older than its snapshot's
// xmin: every transaction below xmin has finished, and any transaction still to commit has an xid of at
// least xmin, so no row can later appear before one already handed out. Ordered by (xid, seq), a cursor
// (the position of the last record read) therefore never skips a record and never repeats one, however
// many consumers commit concurrently and out of order (docs/architecture.md, "The log cursor").
import type { Pool } from '../../common/db/pool.js';
import type { AccessLog, HttpMethod } from '../../common/messages/access-log-line.js';

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

/** How a record is shown to API clients: {id, created, log: {ip, method, uri, status_code}}. */
export function logRecordView(row: LogRecordRow): { id: string; created: string; log: AccessLog } {
  return {
    id: row.id,
    created: row.created.toISOString(),
    log: { ip: row.ip, method: row.method, uri: row.uri, status_code: row.status_code },
  };
}
