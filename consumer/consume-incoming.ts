// Handles incoming_timers deliveries (one timer, or a batch from POST /timers): decode, store in
// batches, then ack (consumer/batched-store.ts).
import type { Logger } from '../common/observability/logger.js';
import type { DeadLetter } from '../common/broker/dead-letter.js';
import { incomingTimerMessage } from '../common/messages/timer-message.js';
import { batchedStoreHandler } from './batched-store.js';
import { storeBatch, type Databases } from './store-batch.js';

/** A message carries one timer, or a batch of them as {"timers": [...]} (POST /timers). */
function timerItemsOf(body: unknown): unknown[] | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const timers = (body as { timers?: unknown }).timers;
  return timers === undefined ? [body] : Array.isArray(timers) ? timers : null;
}

export function incomingTimerHandler(dbs: Databases, batching: { batchMax: number; lingerMs?: number }, deadLetter: DeadLetter, log: Logger) {
  return batchedStoreHandler({
    schema: incomingTimerMessage,
    itemsOf: timerItemsOf,
    encode: (items) => Buffer.from(JSON.stringify(items.length === 1 ? items[0] : { timers: items })),
    store: (timers) => storeBatch(dbs, timers),
    ...batching,
    deadLetter,
    log,
    describe: (timer) => ({ timer_id: timer.id, request_id: timer.request_id }),
  });
}
