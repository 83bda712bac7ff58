// Handles incoming_logs deliveries: decode, store in batches in log_records, then ack.
import type { Logger } from '../common/observability/logger.js';
import type { Pool } from '../common/db/pool.js';
import { incomingLogMessage } from '../common/messages/log-message.js';
import type { DeadLetter } from '../common/broker/dead-letter.js';
import { batchedStoreHandler } from './batched-store.js';
import { storeLogRecords } from './persist-log-records.js';

export function incomingLogHandler(main: Pool, batchMax: number, deadLetter: DeadLetter, log: Logger) {
  return batchedStoreHandler({
    schema: incomingLogMessage,
    store: (logs) => storeLogRecords(main, logs),
    batchMax,
    deadLetter,
    log,
    describe: (record) => ({ log_id: record.id }),
  });
}
