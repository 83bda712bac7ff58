// Handles incoming_timers deliveries (one timer, or a batch from POST /timers): decode, store in
// batches, then ack (consumer/batched-store.ts).
import type { Logger } from '../common/logger.js';
import type { DeadLetter } from '../common/dead-letter.js';
import { incomingTimersMessage, timersOf, type IncomingTimer } from '../common/timer-message.js';
import { batchedStoreHandler } from './batched-store.js';
import { storeBatch, type Databases } from './store-batch.js';

export function incomingTimerHandler(dbs: Databases, batchMax: number, deadLetter: DeadLetter, log: Logger) {
  return batchedStoreHandler({
    schema: incomingTimersMessage,
    itemsOf: (message) => timersOf<IncomingTimer>(message),
    store: (timers) => storeBatch(dbs, timers),
    batchMax,
    deadLetter,
    log,
    describe: (timer) => ({ timer_id: timer.id, request_id: timer.request_id }),
  });
}
