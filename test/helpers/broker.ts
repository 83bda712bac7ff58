// Queue names of their own for one test file on the real local RabbitMQ, and their removal afterwards.
import amqplib from 'amqplib';
import { AmqpClient } from '../../common/amqp.js';
import { queueNames, type QueueNames } from '../../common/queue-names.js';
import { uniqueName } from './databases.js';
import { silentLogger } from './logger.js';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export function testQueuePrefix(): string {
  return `${uniqueName('t')}.`;
}

/** A connected AmqpClient whose topology lives under its own prefix. */
export async function connectTestBroker(prefix = testQueuePrefix()): Promise<AmqpClient> {
  const client = new AmqpClient(AMQP_URL, queueNames(prefix), silentLogger());
  await client.start();
  await client.waitForConnect();
  return client;
}

/** Deletes every queue and the exchange of a prefix. */
export async function deleteTopology(names: QueueNames): Promise<void> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of [names.incomingTimers, names.timersToFire, names.incomingTimersDead, names.timersToFireDead]) {
      await channel.deleteQueue(queue);
    }
    await channel.deleteExchange(names.deadLetterExchange);
  } finally {
    await connection.close();
  }
}

/** Messages currently ready in a queue (not counting unacked ones). */
export async function readyCount(queue: string): Promise<number> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

/** Awaits the next message on a queue (consumed and acked), e.g. what was dead-lettered. */
export async function nextMessage(queue: string, timeoutMs = 10_000): Promise<{ body: string; headers: Record<string, unknown> }> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message on ${queue} within ${timeoutMs} ms`)), timeoutMs);
      void channel.consume(queue, (message) => {
        if (!message) return;
        clearTimeout(timer);
        channel.ack(message);
        resolve({ body: message.content.toString(), headers: message.properties.headers ?? {} });
      });
    });
  } finally {
    await connection.close();
  }
}
