// Handles incoming_timers deliveries: decode, store in batches, then ack (consumer/batched-store.ts).
import type { Logger } from '../common/logger.js';
import { incomingTimerMessage } from '../common/timer-message.js';
import { batchedStoreHandler } from './batched-store.js';
import { storeBatch, type Databases } from './store-batch.js';

export function incomingTimerHandler(dbs: Databases, batchMax: number, log: Logger) {
  return batchedStoreHandler({
    schema: incomingTimerMessage,
    store: (timers) => storeBatch(dbs, timers),
    batchMax,
    log,
    describe: (timer) => ({ timer_id: timer.id }),
  });
}
