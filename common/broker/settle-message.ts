// Acking, nacking and decoding deliveries the same way in every consumer: a settle on a channel that
// closed under us (reconnect) is harmless, since the broker redelivers the message; an undecodable
// message is dead-lettered at once with the reason (common/broker/dead-letter.ts), never requeued into a crash loop.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import { decodeMessage } from '../messages/decode.js';
import type { DeadLetter } from './dead-letter.js';
import { isUnavailable } from '../errors/is-unavailable.js';
import { safeSettle } from './safe-settle.js';

/** The decoded message, or null after dead-lettering it with the reason. */
export function decodeOrDeadLetter<T>(schema: z.ZodType<T>, message: ConsumeMessage, channel: Channel, deadLetter: DeadLetter): T | null {
  try {
    return decodeMessage(schema, message.content);
  } catch (err) {
    deadLetter(message, channel, `undecodable: ${(err as Error).message}`);
    return null;
  }
}

/** What a handler's work asks for once it has ended: an ack, or the dead-letter queue with a reason. */
export type Settlement = 'ack' | { deadLetter: string } | void;

/**
 * Settles a message when the work it started ends: ack, or dead-letter with the reason when the work
 * says so; a dependency that is unavailable requeues it after a pause; an error in our own code
 * dead-letters it. The returned promise resolves once the message is settled (graceful stop waits for it).
 */
export function settleWhenDone(
  work: Promise<Settlement>,
  message: ConsumeMessage,
  channel: Channel,
  deadLetter: DeadLetter,
  log: Logger,
  fields: Record<string, unknown>,
  requeueDelayMs: number,
): Promise<void> {
  const settle = safeSettle(log);
  return work.then(
    (action) => (action && typeof action === 'object' ? deadLetter(message, channel, action.deadLetter) : settle(() => channel.ack(message))),
    (err: Error) => {
      if (!isUnavailable(err)) {
        log.error({ err, ...fields }, 'a message failed in our code');
        return deadLetter(message, channel, `failed in our code: ${err.message}`);
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
