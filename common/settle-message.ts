// Acking, nacking and decoding deliveries the same way in every consumer: a settle on a channel that
// closed under us (reconnect) is harmless, since the broker redelivers the message; an undecodable
// message is dead-lettered at once with the reason (common/dead-letter.ts), never requeued into a crash loop.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Logger } from './logger.js';
import { decodeMessage } from './timer-message.js';
import type { DeadLetter } from './dead-letter.js';

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

/** The decoded message, or null after dead-lettering it with the reason. */
export function decodeOrDeadLetter<T>(schema: z.ZodType<T>, message: ConsumeMessage, channel: Channel, deadLetter: DeadLetter): T | null {
  try {
    return decodeMessage(schema, message.content);
  } catch (err) {
    deadLetter(message, channel, `undecodable: ${(err as Error).message}`);
    return null;
  }
}
