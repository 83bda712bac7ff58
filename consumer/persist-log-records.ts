// The consumer's store step for access-log records: the insert is the log_records table's
// (common/store/log-records.ts); a refused row is found by splitting the batch.
import type { Pool } from '../common/db/pool.js';
import type { IncomingLog } from '../common/messages/log-message.js';
import { insertLogRecords } from '../common/store/log-records.js';
import { storeSplitting, type StoreOutcome } from './batched-store.js';

/** One outcome per record; an unreachable database rejects the batch, a refused row is reported alone. */
export function storeLogRecords(main: Pool, logs: IncomingLog[]): Promise<StoreOutcome[]> {
  return storeSplitting(logs, (batch) => insertLogRecords(main, batch));
}
