// Queue names of their own for one test file on the real local RabbitMQ, and their removal afterwards.
import amqplib from 'amqplib';
import { execFileSync } from 'node:child_process';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames, type QueueNames } from '../../common/broker/queue-names.js';
import { deleteTopology as removeTopology } from '../../common/broker/topology.js';
import { uniqueName } from './databases.js';
import { silentLogger } from './logger.js';
import { afterEach, beforeEach } from '@jest/globals';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export function testQueuePrefix(): string {
  return `${uniqueName('t')}.`;
}

/** A connected AmqpClient whose topology lives under its own prefix. */
export async function connectTestBroker(prefix = testQueuePrefix(), url = AMQP_URL): Promise<AmqpClient> {
  const client = new AmqpClient(url, queueNames(prefix), silentLogger(), 2_000, `test-${prefix}`);
  await client.start();
  await client.waitForConnect();
  return client;
}

/**
 * For a test file or describe block: a broker client of its own for every test, its queues deleted
 * after. Read `.client` inside the tests.
 */
export function useTestBroker(): { client: AmqpClient } {
  const handle = {} as { client: AmqpClient };
  beforeEach(async () => {
    handle.client = await connectTestBroker();
  });
  afterEach(async () => {
    await handle.client.close();
    await deleteTopology(handle.client.names);
  });
  return handle;
}

/** Deletes every queue and the exchange of a prefix. */
export function deleteTopology(names: QueueNames): Promise<void> {
  return removeTopology(AMQP_URL, names);
}

async function withChannel<T>(use: (channel: amqplib.Channel) => Promise<T>): Promise<T> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    return await use(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

/** Messages currently ready in a queue (not counting unacked ones). */
export function readyCount(queue: string): Promise<number> {
  return withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount);
}

/** Takes every ready message off a queue (no ack needed) and returns their bodies, in order. */
export function takeAll(queue: string): Promise<Buffer[]> {
  return withChannel(async (channel) => {
    const bodies: Buffer[] = [];
    for (let got = await channel.get(queue, { noAck: true }); got; got = await channel.get(queue, { noAck: true })) bodies.push(got.content);
    return bodies;
  });
}

/** Removes every ready message from a queue. */
export async function purgeQueue(queue: string): Promise<void> {
  await withChannel((channel) => channel.purgeQueue(queue));
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

/** Closes a client's connection from the broker's side, as a broker restart or a network cut would. */
export function closeConnectionFromBroker(connectionName: string): void {
  const listing = execFileSync('rabbitmqctl', ['list_connections', '-s', 'pid', 'client_properties'], { encoding: 'utf8' });
  const line = listing.split('\n').find((l) => l.includes(`{"connection_name","${connectionName}"}`));
  if (!line) throw new Error(`no broker connection named ${connectionName}`);
  execFileSync('rabbitmqctl', ['close_connection', line.split('\t')[0]!, 'closed by test'], { stdio: 'ignore' });
}
