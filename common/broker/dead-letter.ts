// Dead-lettering with the reason: a message that cannot be decoded, or that keeps failing for a reason
// in our code, is copied to "<queue>.dead" with x-dead-reason (and the queue and instant) on the
// confirm channel, then acked, so it never crash-loops a process or blocks its queue and an operator
// can read why it is there. Should that publish fail, the message is nacked to the dead-letter
// exchange instead (x-death, without our reason): never lost, never requeued. Every dead letter is a
// defect an operator must see: it is counted (timer_dead_letters_total, by queue) and the dashboard
// shows the depth of every .dead queue.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpClient } from './amqp.js';
import type { Logger } from '../observability/logger.js';
import { safeSettle } from './safe-settle.js';
import { metrics } from '../observability/metrics.js';

/**
 * Moves a message to its queue's .dead queue with the reason, then acks it. `content`, when given, is
 * what is dead-lettered in place of the whole body: the refused items of a batch whose others were stored.
 */
export type DeadLetter = (message: ConsumeMessage, channel: Channel, reason: string, content?: Buffer) => void;

export function deadLetterer(amqp: Pick<AmqpClient, 'publish'>, log: Logger): DeadLetter {
  const settle = safeSettle(log);
  return (message, channel, reason, content = message.content) => {
    // Every message of ours was published through the default exchange: its routing key is its queue.
    const queue = message.fields.routingKey;
    log.error({ reason, queue, message_id: message.properties.messageId }, 'dead-lettering a message');
    metrics.deadLetters.inc({ queue });
    const headers = { ...message.properties.headers, 'x-dead-reason': reason, 'x-dead-queue': queue, 'x-dead-at': new Date().toISOString() };
    amqp.publish(`${queue}.dead`, content, { messageId: message.properties.messageId, contentType: message.properties.contentType, headers }).then(
      () => settle(() => channel.ack(message)),
      () => settle(() => channel.nack(message, false, false)),
    );
  };
}
