// Integration: a process's broker connection and database pools come back by themselves after the
// server side drops them, with consumers re-opened and nothing to restart.
import type { ConsumeMessage } from 'amqplib';
import { connectTestBroker, closeConnectionFromBroker, deleteTopology } from '../../test/helpers/broker.js';
import { createTestDatabases } from '../../test/helpers/databases.js';
import { DependencyUnavailableError } from '../errors/dependency-unavailable.js';
import { isUnavailable } from '../errors/is-unavailable.js';
import { AmqpClient } from './amqp.js';
import { queueNames } from './queue-names.js';
import { silentLogger } from '../../test/helpers/logger.js';

test('after the broker drops the connection, the client reconnects, re-opens its consumer and publishes again', async () => {
  const amqp = await connectTestBroker();
  try {
    const received: string[] = [];
    let onMessage: (body: string) => void = () => undefined;
    await amqp.consume(amqp.names.incomingTimers, 10, (message: ConsumeMessage, channel) => {
      received.push(message.content.toString());
      channel.ack(message);
      onMessage(message.content.toString());
    });
    const arrival = (body: string) => new Promise<void>((resolve) => (onMessage = (got) => got === body && resolve()));

    let arrived = arrival('before');
    await amqp.publish(amqp.names.incomingTimers, Buffer.from('before'));
    await arrived;

    const disconnected = new Promise<void>((resolve) => {
      const check = setInterval(() => !amqp.isConnected() && (clearInterval(check), resolve()), 5);
    });
    closeConnectionFromBroker(amqp.connectionName);
    await disconnected;
    await expect(amqp.publish(amqp.names.incomingTimers, Buffer.from('while down'))).rejects.toBeInstanceOf(DependencyUnavailableError);

    await amqp.waitForConnect();
    arrived = arrival('after');
    await amqp.publish(amqp.names.incomingTimers, Buffer.from('after'));
    await arrived;
    // An ack still in flight when the connection dropped is lost with it, so 'before' may come again
    // (at-least-once); the one published while down was refused, never queued.
    expect(new Set(received)).toEqual(new Set(['before', 'after']));
  } finally {
    await amqp.close();
    await deleteTopology(amqp.names);
  }
});

test('a publish to a broker that cannot be reached fails at once as "broker unavailable"', async () => {
  const amqp = new AmqpClient('amqp://guest:guest@127.0.0.1:1', queueNames('unreachable.'), silentLogger());
  await amqp.start();
  try {
    const error = await amqp.publish(amqp.names.incomingTimers, Buffer.from('x')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).dependency).toBe('broker');
  } finally {
    await amqp.close();
  }
});

test('after the database terminates every connection of a pool, the next query succeeds on a new one', async () => {
  const dbs = await createTestDatabases(1);
  try {
    await dbs.main.query('SELECT 1');
    const { rows } = await dbs.shards[0]!.query<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1`, [new URL(dbs.mainUrl).pathname.slice(1)]);
    expect(rows[0]!.n).toBeGreaterThan(0);
    // An idle client may not have seen its termination yet: that first query fails as "unavailable"
    // (a 503 or a requeue to its caller), the pool drops the client, and the next query gets a new one.
    const first = await dbs.main.query('SELECT 1').catch((err: unknown) => err);
    if (first instanceof Error) expect(isUnavailable(first)).toBe(true);
    const after = await dbs.main.query<{ one: number }>('SELECT 1 AS one');
    expect(after.rows).toEqual([{ one: 1 }]);
  } finally {
    await dbs.drop();
  }
});
