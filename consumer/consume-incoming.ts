// Handles incoming_timers deliveries: decode, store in batches, then ack. An undecodable message or a
// row the database refuses is dead-lettered; an unreachable database requeues the message after a pause.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../common/logger.js';
import { Batcher } from '../common/batcher.js';
import { incomingTimerMessage, type IncomingTimer } from '../common/timer-message.js';
import { decodeOrDeadLetter, safeSettle } from '../common/settle-message.js';
import type { DeadLetter } from '../common/dead-letter.js';
import { storeBatch, type Databases, type StoreOutcome } from './store-batch.js';

// How long a message waits before it is handed back while the database is unreachable, so that an
// outage does not spin deliveries in a tight loop.
const REQUEUE_DELAY_MS = 1_000;

export function incomingTimerHandler(dbs: Databases, batchMax: number, deadLetter: DeadLetter, log: Logger) {
  const batcher = new Batcher<IncomingTimer, StoreOutcome>((timers) => storeBatch(dbs, timers), batchMax, 2);

  const settle = safeSettle(log);

  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const timer = decodeOrDeadLetter(incomingTimerMessage, message, channel, deadLetter);
    if (!timer) return;
    batcher.add(timer).then(
      (outcome) => {
        if (outcome.stored) return settle(() => channel.ack(message));
        deadLetter(message, channel, `the database refused the timer: ${outcome.reason}`);
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'database unavailable; message will be retried');
        setTimeout(() => settle(() => channel.nack(message, false, true)), REQUEUE_DELAY_MS);
      },
    );
  };
  return { handle, drain: () => batcher.idle() };
}
