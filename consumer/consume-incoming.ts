// Handles incoming_timers deliveries: decode, store in batches, then ack. An undecodable message or a
// row the database refuses is dead-lettered; an unreachable database requeues the message after a pause.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../common/logger.js';
import { Batcher } from '../common/batcher.js';
import { decodeMessage, incomingTimerMessage, type IncomingTimer } from '../common/timer-message.js';
import { storeBatch, type Databases, type StoreOutcome } from './store-batch.js';

// How long a message waits before it is handed back while the database is unreachable, so that an
// outage does not spin deliveries in a tight loop.
const REQUEUE_DELAY_MS = 1_000;

export function incomingTimerHandler(dbs: Databases, batchMax: number, log: Logger) {
  const batcher = new Batcher<IncomingTimer, StoreOutcome>((timers) => storeBatch(dbs, timers), batchMax, 2);

  const settle = (channel: Channel, action: () => void) => {
    try {
      action();
    } catch (err) {
      // The channel closed under us (reconnect): the broker redelivers the message, nothing is lost.
      log.debug({ err: (err as Error).message }, 'could not settle message on a closed channel');
    }
  };

  const handle = (message: ConsumeMessage, channel: Channel): void => {
    let timer: IncomingTimer;
    try {
      timer = decodeMessage(incomingTimerMessage, message.content);
    } catch (err) {
      log.error({ reason: (err as Error).message }, 'dead-lettering an undecodable incoming timer');
      return settle(channel, () => channel.nack(message, false, false));
    }
    batcher.add(timer).then(
      (outcome) => {
        if (outcome.stored) return settle(channel, () => channel.ack(message));
        log.error({ timer_id: timer.id, reason: outcome.reason }, 'dead-lettering a timer the database refused');
        settle(channel, () => channel.nack(message, false, false));
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'database unavailable; message will be retried');
        setTimeout(() => settle(channel, () => channel.nack(message, false, true)), REQUEUE_DELAY_MS);
      },
    );
  };
  return { handle, drain: () => batcher.idle() };
}
