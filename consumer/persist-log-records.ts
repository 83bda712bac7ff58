// The consumer's SQL for access-log records: one multi-row insert per batch. The row's xid (the
// inserting transaction) and seq are filled in by their column defaults and give the cursor order.
// Idempotent (ON CONFLICT DO NOTHING): a redelivered message does not add a record twice.
import type { Pool } from '../common/db/pool.js';
import type { IncomingLog } from '../common/messages/log-message.js';
import { storeSplitting, type StoreOutcome } from './batched-store.js';

export async function insertLogRecords(db: Pick<Pool, 'query'>, logs: IncomingLog[]): Promise<void> {
  await db.query(
    `INSERT INTO log_records (id, created, ip, method, uri, status_code)
     SELECT id, to_timestamp(created / 1000.0), ip, method, uri, status_code
       FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::int[])
            WITH ORDINALITY AS t(id, created, ip, method, uri, status_code, n)
      ORDER BY n
     ON CONFLICT (id) DO NOTHING`,
    [
      logs.map((l) => l.id),
      logs.map((l) => l.created),
      logs.map((l) => l.ip),
      logs.map((l) => l.method),
      logs.map((l) => l.uri),
      logs.map((l) => l.status_code),
    ],
  );
}

/** One outcome per record; an unreachable database rejects the batch, a refused row is reported alone. */
export function storeLogRecords(main: Pool, logs: IncomingLog[]): Promise<StoreOutcome[]> {
  return storeSplitting(logs, (batch) => insertLogRecords(main, batch));
}
