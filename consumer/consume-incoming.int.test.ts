// Integration: the consumer on the real local RabbitMQ and PostgreSQL, with its own queues and databases.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpClient } from '../common/broker/amqp.js';
import { encodeMessage, type IncomingTimer } from '../common/messages/timer-message.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { shardOf } from '../common/store/shard.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, nextMessage } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { incomingTimerHandler } from './consume-incoming.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { storeBatch } from './store-batch.js';
import { createPool } from '../common/db/pool.js';
import { isUnavailable } from '../common/errors/is-unavailable.js';

let dbs: TestDatabases;
let amqp: AmqpClient;

beforeEach(async () => {
  dbs = await createTestDatabases(2);
  amqp = await connectTestBroker();
});

afterEach(async () => {
  await amqp.close();
  await deleteTopology(amqp.names);
  await dbs.drop();
});

function timers(count: number, now = Date.now()): IncomingTimer[] {
  return Array.from({ length: count }, (_, i) => ({ id: newTimerId(), url: `http://127.0.0.1:9/t/${i}`, fire_at: now + 60_000 + i, created_at: now }));
}

async function countRows(): Promise<{ main: number; shards: number[] }> {
  const main = await dbs.main.query<{ n: number }>('SELECT count(*)::int AS n FROM timers');
  const shards = await Promise.all(dbs.shards.map((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM timers_to_fire')));
  return { main: main.rows[0]!.n, shards: shards.map((r) => r.rows[0]!.n) };
}

/** Consumes incoming_timers with the real handler; reports every ack and nack as it happens. */
async function consumeWithObserver(onSettle: (kind: 'ack' | 'nack', message: ConsumeMessage, requeue: boolean) => Promise<void> | void) {
  const incoming = incomingTimerHandler({ main: dbs.main, shards: dbs.shards }, { batchMax: 100 }, deadLetterer(amqp, silentLogger()), silentLogger());
  await amqp.consume(amqp.names.incomingTimers, 500, (message, channel) => {
    const observed = Object.create(channel) as Channel;
    observed.ack = (m: ConsumeMessage) => {
      void Promise.resolve(onSettle('ack', m, false)).then(() => channel.ack(m));
    };
    observed.nack = (m: ConsumeMessage, allUpTo?: boolean, requeue?: boolean) => {
      void Promise.resolve(onSettle('nack', m, requeue ?? true)).then(() => channel.nack(m, allUpTo, requeue));
    };
    incoming.handle(message, observed);
  });
  return incoming;
}

test('a consumer batch is persisted in the timers table and its shards before any message is acked', async () => {
  const batch = timers(300);
  const byId = new Map(batch.map((t) => [t.id, t]));
  let acked = 0;
  let missingAtAck = 0;
  const allAcked = new Promise<void>((resolve) => {
    void consumeWithObserver(async (kind, message) => {
      expect(kind).toBe('ack');
      const id = message.properties.messageId as string;
      const shard = shardOf(id, dbs.shards.length);
      const [main, toFire] = await Promise.all([dbs.main.query('SELECT 1 FROM timers WHERE id = $1', [id]), dbs.shards[shard]!.query('SELECT 1 FROM timers_to_fire WHERE id = $1', [id])]);
      if (main.rowCount !== 1 || toFire.rowCount !== 1) missingAtAck++;
      if (++acked === batch.length) resolve();
    });
  });
  await Promise.all(batch.map((t) => amqp.publish(amqp.names.incomingTimers, encodeMessage(t), { messageId: t.id })));
  await allAcked;

  expect(missingAtAck).toBe(0);
  const rows = await countRows();
  expect(rows.main).toBe(300);
  expect(rows.shards.reduce((a, b) => a + b, 0)).toBe(300);
  expect(rows.shards.every((n) => n > 0)).toBe(true);
  const stored = await dbs.main.query<{ id: string; url: string; fire_at: Date; state: string }>('SELECT id, url, fire_at, state FROM timers');
  for (const row of stored.rows) {
    expect(row.state).toBe('scheduled');
    expect(row.url).toBe(byId.get(row.id)!.url);
    expect(row.fire_at.getTime()).toBe(byId.get(row.id)!.fire_at);
  }
});

test('a redelivered batch writes nothing twice', async () => {
  const batch = timers(50);
  await storeBatch({ main: dbs.main, shards: dbs.shards }, batch);
  const outcomes = await storeBatch({ main: dbs.main, shards: dbs.shards }, [...batch, ...batch.slice(0, 10)]);
  expect(outcomes.every((o) => o.stored)).toBe(true);
  const rows = await countRows();
  expect(rows.main).toBe(50);
  expect(rows.shards.reduce((a, b) => a + b, 0)).toBe(50);
});

test('a message redelivered after its timer was delivered does not schedule it again', async () => {
  const [timer] = timers(1);
  await storeBatch({ main: dbs.main, shards: dbs.shards }, [timer!]);
  const shard = dbs.shards[shardOf(timer!.id, 2)]!;
  await shard.query('DELETE FROM timers_to_fire WHERE id = $1', [timer!.id]);
  await dbs.main.query(`UPDATE timers SET state = 'delivered' WHERE id = $1`, [timer!.id]);

  await storeBatch({ main: dbs.main, shards: dbs.shards }, [timer!]);
  expect((await shard.query('SELECT 1 FROM timers_to_fire WHERE id = $1', [timer!.id])).rowCount).toBe(0);
});

test('a message whose shard write failed is stored completely when it is redelivered', async () => {
  const [timer] = timers(1);
  // As if the consumer crashed after committing the main row but before the shard row.
  await dbs.main.query('INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, $2, to_timestamp($3 / 1000.0), now())', [timer!.id, timer!.url, timer!.fire_at]);
  await storeBatch({ main: dbs.main, shards: dbs.shards }, [timer!]);
  const shard = dbs.shards[shardOf(timer!.id, 2)]!;
  expect((await shard.query('SELECT 1 FROM timers_to_fire WHERE id = $1', [timer!.id])).rowCount).toBe(1);
});

test('an undecodable message goes to the dead-letter queue and the next one is stored', async () => {
  const [good] = timers(1);
  const settled: Array<{ kind: string; requeue: boolean }> = [];
  const bothSettled = new Promise<void>((resolve) => {
    void consumeWithObserver((kind, _m, requeue) => {
      settled.push({ kind, requeue });
      if (settled.length === 2) resolve();
    });
  });
  await amqp.publish(amqp.names.incomingTimers, Buffer.from('{"id": "not a timer"'));
  await amqp.publish(amqp.names.incomingTimers, encodeMessage(good!), { messageId: good!.id });
  await bothSettled;

  // Both acked: the poison one once its copy, with the reason, is in the dead-letter queue.
  expect(settled).toEqual([
    { kind: 'ack', requeue: false },
    { kind: 'ack', requeue: false },
  ]);
  expect((await countRows()).main).toBe(1);
  const dead = await nextMessage(amqp.names.incomingTimersDead);
  expect(dead.body).toBe('{"id": "not a timer"');
  expect(dead.headers['x-dead-reason']).toBe('undecodable: message body is not JSON');
  expect(dead.headers['x-dead-queue']).toBe(amqp.names.incomingTimers);
});

// Every timer the webserver accepts passes the message schema, so a database refusal cannot come from
// a client: the tests make one with a constraint of their own on their own database.
const REFUSED_URL = 'http://127.0.0.1/refuse-me';
async function refuseUrlsMarked(): Promise<void> {
  await dbs.main.query(`ALTER TABLE timers ADD CONSTRAINT test_refuses_marked_urls CHECK (url NOT LIKE '%refuse-me%')`);
}

test('a row the database refuses is dead-lettered alone; the rest of its batch is stored', async () => {
  await refuseUrlsMarked();
  const batch = timers(5);
  batch[2] = { ...batch[2]!, url: REFUSED_URL };
  const outcomes = await storeBatch({ main: dbs.main, shards: dbs.shards }, batch);
  expect(outcomes.map((o) => o.stored)).toEqual([true, true, false, true, true]);
  expect((await countRows()).main).toBe(4);
});

test('a refused row reaches the dead-letter queue with the reason the database gave', async () => {
  await refuseUrlsMarked();
  const [refused] = timers(1);
  const settledOnce = new Promise<string>((resolve) => void consumeWithObserver((kind) => resolve(kind)));
  await amqp.publish(amqp.names.incomingTimers, encodeMessage({ ...refused!, url: REFUSED_URL }), { messageId: refused!.id });
  expect(await settledOnce).toBe('ack');
  const dead = await nextMessage(amqp.names.incomingTimersDead);
  expect(dead.headers['x-dead-reason']).toMatch(/^its one item refused; the first: the database refused the row: .*test_refuses_marked_urls/);
});

test('an unreachable database fails the whole batch so that it is requeued, not dead-lettered', async () => {
  const down = createPool('postgres://postgres@127.0.0.1:1/none', 'timer-test', 1, silentLogger());
  const error = await storeBatch({ main: down, shards: dbs.shards }, timers(3)).catch((err: unknown) => err);
  expect(isUnavailable(error)).toBe(true);
  await down.end();
});

test('a batch message (POST /timers) is acked once every timer of it is in the timers table and its shard', async () => {
  const batch = timers(250);
  const acked = new Promise<number>((resolve) => {
    void consumeWithObserver(async (kind) => {
      expect(kind).toBe('ack');
      resolve((await countRows()).main);
    });
  });
  await amqp.publish(amqp.names.incomingTimers, encodeMessage({ timers: batch }), { messageId: batch[0]!.id });
  expect(await acked).toBe(250);
  const rows = await countRows();
  expect(rows.shards.reduce((a, b) => a + b, 0)).toBe(250);
  expect(rows.shards.every((n) => n > 0)).toBe(true);
});

test('a batch message with a refused timer stores the others and dead-letters only the refused one; replaying it adds nothing twice', async () => {
  await refuseUrlsMarked();
  const batch = timers(4);
  batch[1] = { ...batch[1]!, url: REFUSED_URL };
  const settledOnce = new Promise<string>((resolve) => void consumeWithObserver((kind) => resolve(kind)));
  await amqp.publish(amqp.names.incomingTimers, encodeMessage({ timers: batch }), { messageId: batch[0]!.id });
  expect(await settledOnce).toBe('ack');
  const dead = await nextMessage(amqp.names.incomingTimersDead);
  expect(dead.headers['x-dead-reason']).toMatch(/^1 of its 4 items refused; the first: the database refused the row: /);
  expect(JSON.parse(dead.body)).toEqual(batch[1]);
  expect((await countRows()).main).toBe(3);
  await storeBatch(
    { main: dbs.main, shards: dbs.shards },
    batch.filter((_, i) => i !== 1),
  );
  expect((await countRows()).main).toBe(3);
});

test('a batch [good, fire_at before 1970] loses nothing good: the good timer is stored and only the other is dead-lettered', async () => {
  const [good, bad] = timers(2);
  const before1970 = { ...bad!, fire_at: -1_000 };
  const settledOnce = new Promise<string>((resolve) => void consumeWithObserver((kind) => resolve(kind)));
  await amqp.publish(amqp.names.incomingTimers, encodeMessage({ timers: [good!, before1970] }), { messageId: good!.id });
  expect(await settledOnce).toBe('ack');
  const dead = await nextMessage(amqp.names.incomingTimersDead);
  expect(dead.headers['x-dead-reason']).toMatch(/^1 of its 2 items refused; the first: undecodable: item has the wrong shape/);
  expect(JSON.parse(dead.body)).toEqual(before1970);
  const stored = await dbs.main.query<{ id: string }>('SELECT id FROM timers');
  expect(stored.rows.map((r) => r.id)).toEqual([good!.id]);
});
