// Acking, nacking and decoding deliveries the same way in every consumer: a settle on a channel that
// closed under us (reconnect) is harmless, since the broker redelivers the message; an undecodable
// message is dead-lettered at once, never requeued into a crash loop.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Logger } from './logger.js';
import { decodeMessage } from './timer-message.js';
import { isUnavailable } from './db.js';

export type Settle = (action: () => void) => void;

export function safeSettle(log: Logger): Settle {
  return (action) => {
    try {
      action();
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'could not settle message on a closed channel');
    }
  };
}

/** The decoded message, or null after dead-lettering it (nack without requeue, reason logged). */
export function decodeOrDeadLetter<T>(schema: z.ZodType<T>, message: ConsumeMessage, channel: Channel, settle: Settle, log: Logger): T | null {
  try {
    return decodeMessage(schema, message.content);
  } catch (err) {
    log.error({ reason: (err as Error).message, queue: message.fields.routingKey }, 'dead-lettering an undecodable message');
    settle(() => channel.nack(message, false, false));
    return null;
  }
}

/**
 * Settles a message when the work it started ends: ack, or dead-letter when the work says so; a
 * dependency that is unavailable requeues it after a pause; an error in our own code dead-letters it.
 * The returned promise resolves once the message is settled (graceful stop waits for it).
 */
export function settleWhenDone(
  work: Promise<'ack' | 'dead-letter' | void>,
  message: ConsumeMessage,
  channel: Channel,
  settle: Settle,
  log: Logger,
  fields: Record<string, unknown>,
  requeueDelayMs: number,
): Promise<void> {
  return work.then(
    (action) => settle(() => (action === 'dead-letter' ? channel.nack(message, false, false) : channel.ack(message))),
    (err: Error) => {
      if (!isUnavailable(err)) {
        log.error({ err, ...fields }, 'dead-lettering a message that failed in our code');
        return settle(() => channel.nack(message, false, false));
      }
      log.warn({ err: err.message, ...fields }, 'a dependency is unavailable; the message will be redelivered');
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          settle(() => channel.nack(message, false, true));
          resolve();
        }, requeueDelayMs),
      );
    },
  );
}
