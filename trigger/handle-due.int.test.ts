// Integration: the trigger on real RabbitMQ and PostgreSQL, POSTing to a webhook receiver on loopback.
import type { AmqpClient } from '../common/amqp.js';
import { encodeMessage, type DueTimer } from '../common/timer-message.js';
import { newTimerId } from '../common/timer-id.js';
import { shardOf } from '../common/shard.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, nextMessage } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { WebhookReceiver } from '../test/helpers/webhook-receiver.js';
import { createAgents, USER_AGENT } from './deliver-webhook.js';
import { dueTimerHandler } from './handle-due.js';

let dbs: TestDatabases;
let amqp: AmqpClient;
let receiver: WebhookReceiver;
let receiverUrl: string;
let agents: ReturnType<typeof createAgents>;
let settled: Array<{ id: string; kind: 'ack' | 'nack'; requeue: boolean }>;
let onSettled: () => void;

beforeEach(async () => {
  dbs = await createTestDatabases(2);
  amqp = await connectTestBroker();
  receiver = new WebhookReceiver();
  receiverUrl = await receiver.listen();
  agents = createAgents(16);
  settled = [];
  onSettled = () => undefined;
  const due = dueTimerHandler({ main: dbs.main, shards: dbs.shards, agents, webhookTimeoutMs: 2_000, log: silentLogger(), now: Date.now });
  await amqp.consume(amqp.names.timersToFire, 100, (message, channel) => {
    const id = message.properties.messageId as string;
    const observed = Object.create(channel) as typeof channel;
    observed.ack = (m) => {
      channel.ack(m);
      settled.push({ id, kind: 'ack', requeue: false });
      onSettled();
    };
    observed.nack = (m, allUpTo, requeue) => {
      channel.nack(m, allUpTo, requeue);
      settled.push({ id, kind: 'nack', requeue: requeue ?? true });
      onSettled();
    };
    due.handle(message, observed);
  });
});

afterEach(async () => {
  await amqp.close();
  await deleteTopology(amqp.names);
  agents.destroy();
  await receiver.close();
  await dbs.drop();
});

async function scheduledTimer(path = '/hook'): Promise<DueTimer> {
  const timer = { id: newTimerId(), url: `${receiverUrl}${path}`, fire_at: Date.now() };
  await dbs.main.query('INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, $2, to_timestamp($3 / 1000.0), now())', [timer.id, timer.url, timer.fire_at]);
  return timer;
}

function settledCount(count: number): Promise<void> {
  return new Promise((resolve) => {
    onSettled = () => settled.length >= count && resolve();
    onSettled();
  });
}

const publish = (timer: DueTimer) => amqp.publish(amqp.names.timersToFire, encodeMessage(timer), { messageId: timer.id });
const timerRow = async (id: string) => (await dbs.main.query('SELECT state, attempts, last_status, last_error, delivered_at FROM timers WHERE id = $1', [id])).rows[0];

test('the webhook is a POST of {"id"} with JSON content type, a User-Agent and the id as idempotency key', async () => {
  const timer = await scheduledTimer('/hook?x=1');
  await publish(timer);
  await settledCount(1);
  expect(receiver.arrivals).toHaveLength(1);
  const [arrival] = receiver.arrivals;
  expect(arrival!.method).toBe('POST');
  expect(arrival!.path).toBe('/hook?x=1');
  expect(JSON.parse(arrival!.body)).toEqual({ id: timer.id });
  expect(arrival!.headers['content-type']).toBe('application/json');
  expect(arrival!.headers['user-agent']).toBe(USER_AGENT);
  expect(arrival!.headers['idempotency-key']).toBe(timer.id);
  const row = await timerRow(timer.id);
  expect(row).toMatchObject({ state: 'delivered', attempts: 1, last_status: 200, last_error: null });
  expect(row.delivered_at).toBeInstanceOf(Date);
});

test('the trigger drops a duplicate message: one webhook, both messages acked', async () => {
  const timer = await scheduledTimer();
  await Promise.all([publish(timer), publish(timer)]);
  await settledCount(2);
  expect(settled.map((s) => s.kind)).toEqual(['ack', 'ack']);
  expect(receiver.arrivals).toHaveLength(1);
  // A third copy arriving long after delivery is dropped as well.
  await publish(timer);
  await settledCount(3);
  expect(receiver.arrivals).toHaveLength(1);
  expect((await timerRow(timer.id)).attempts).toBe(1);
});

test('a non-2xx answer is recorded as failed with its status', async () => {
  receiver.status = 503;
  const timer = await scheduledTimer();
  await publish(timer);
  await settledCount(1);
  expect(await timerRow(timer.id)).toMatchObject({ state: 'failed', attempts: 1, last_status: 503, last_error: 'HTTP 503' });
});

test('an unreachable callback is recorded as failed with the network error', async () => {
  const timer = await scheduledTimer();
  const unreachable = { ...timer, url: 'http://127.0.0.1:1/hook' };
  await dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [timer.id, unreachable.url]);
  await publish(unreachable);
  await settledCount(1);
  expect(await timerRow(timer.id)).toMatchObject({ state: 'failed', last_status: null, last_error: 'ECONNREFUSED' });
});

test('a timer another trigger is delivering is re-checked through its shard when that claim expires', async () => {
  const timer = await scheduledTimer();
  const until = Date.now() + 60_000;
  await dbs.main.query(`UPDATE timers SET state = 'firing', attempts = 1, claim_expires_at = to_timestamp($2 / 1000.0) WHERE id = $1`, [timer.id, until]);
  await publish(timer);
  await settledCount(1);
  expect(receiver.arrivals).toHaveLength(0);
  const shard = dbs.shards[shardOf(timer.id, 2)]!;
  const row = (await shard.query('SELECT (extract(epoch FROM fire_at) * 1000)::bigint AS at FROM timers_to_fire WHERE id = $1', [timer.id])).rows[0];
  expect(Number(row.at)).toBe(until);
});

test('a timer whose trigger died mid-delivery (claim expired) is taken over and delivered', async () => {
  const timer = await scheduledTimer();
  await dbs.main.query(`UPDATE timers SET state = 'firing', attempts = 1, claim_expires_at = now() - interval '1 second' WHERE id = $1`, [timer.id]);
  await publish(timer);
  await settledCount(1);
  expect(receiver.arrivals.map((a) => a.id)).toEqual([timer.id]);
  expect(await timerRow(timer.id)).toMatchObject({ state: 'delivered', attempts: 2 });
});

test('an undecodable message is dead-lettered and does not stop the next delivery', async () => {
  await amqp.publish(amqp.names.timersToFire, Buffer.from('not json'), { messageId: 'poison' });
  const timer = await scheduledTimer();
  await publish(timer);
  await settledCount(2);
  expect(settled.find((s) => s.id === 'poison')).toEqual({ id: 'poison', kind: 'nack', requeue: false });
  expect(receiver.arrivals).toHaveLength(1);
  expect((await nextMessage(amqp.names.timersToFireDead)).body).toBe('not json');
});
