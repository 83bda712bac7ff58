// Integration: the trigger on real RabbitMQ and PostgreSQL, POSTing to a webhook receiver on loopback.
import type { AmqpClient } from '../common/broker/amqp.js';
import { encodeMessage, type DueTimer } from '../common/messages/timer-message.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { shardOf } from '../common/store/shard.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, nextMessage } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { WebhookReceiver } from '../test/helpers/webhook-receiver.js';
import { createAgents, USER_AGENT } from './deliver-webhook.js';
import { dueTimerHandler, type TriggerDeps } from './handle-due.js';
import { HostLimiter } from './host-limiter.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { AddressPolicy, LOOPBACK_CIDRS } from '../common/webhooks/callback-address.js';
import { flowKeyId } from '../common/store/flow-keys.js';
import { createHmac } from 'node:crypto';
import { callbackId } from '../common/webhooks/callbacks.js';
import { markReplayed } from '../common/store/timers.js';
import { secretBytes } from '../common/webhooks/signing-secret.js';
import { webhookSigner } from './sign-webhook.js';

let dbs: TestDatabases;
let amqp: AmqpClient;
let receiver: WebhookReceiver;
let receiverUrl: string;
let agents: ReturnType<typeof createAgents>;
let settled: Array<{ id: string; kind: 'ack' | 'nack'; requeue: boolean }>;
let onSettled: () => void;
let handlers: Array<ReturnType<typeof dueTimerHandler>>;

const delivery = { maxAttempts: 3, backoffMs: 10_000, maxBackoffMs: 3_600_000, timeoutMs: 2_000 };

/** Starts a trigger handler on timers_to_fire; `overrides` change its dependencies. */
async function startTrigger(prefetch: number, overrides: Partial<TriggerDeps> = {}): Promise<ReturnType<typeof dueTimerHandler>> {
  const due = dueTimerHandler({
    main: dbs.main,
    shards: dbs.shards,
    agents,
    hosts: new HostLimiter({ concurrency: 16, ratePerSecond: 0, maxWaiting: 16, stallMs: 1_000 }),
    deadLetter: deadLetterer(amqp, silentLogger()),
    delivery,
    log: silentLogger(),
    now: Date.now,
    random: () => 1,
    ...overrides,
  });
  handlers.push(due);
  await amqp.consume(amqp.names.timersToFire, prefetch, (message, channel) => {
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
  return due;
}

beforeEach(async () => {
  dbs = await createTestDatabases(2);
  amqp = await connectTestBroker();
  receiver = new WebhookReceiver();
  receiverUrl = await receiver.listen();
  agents = createAgents(16, new AddressPolicy(LOOPBACK_CIDRS));
  settled = [];
  onSettled = () => undefined;
  handlers = [];
});

afterEach(async () => {
  for (const due of handlers) due.stop();
  await amqp.close();
  await deleteTopology(amqp.names);
  await agents.destroy();
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
const timerRow = async (id: string) =>
  (await dbs.main.query('SELECT state, attempts, last_status, last_error, delivered_at, next_attempt_at, attempt_log, held_on FROM timers WHERE id = $1', [id])).rows[0];
const shardRowAt = async (id: string) => {
  const shard = dbs.shards[shardOf(id, 2)]!;
  const row = (await shard.query('SELECT (extract(epoch FROM fire_at) * 1000)::bigint AS at FROM timers_to_fire WHERE id = $1', [id])).rows[0];
  return row ? Number(row.at) : null;
};

describe('with the default trigger', () => {
  beforeEach(() => startTrigger(100));

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

  test("a poller's batch message: every timer of it delivered once and recorded, then the one message acked", async () => {
    const timers = await Promise.all(Array.from({ length: 30 }, (_, i) => scheduledTimer(`/batch/${i}`)));
    await amqp.publish(amqp.names.timersToFire, encodeMessage({ timers }), { messageId: timers[0]!.id });
    await settledCount(1);
    expect(settled).toEqual([{ id: timers[0]!.id, kind: 'ack', requeue: false }]);
    expect(receiver.arrivals.map((a) => a.id).sort()).toEqual(timers.map((t) => t.id).sort());
    for (const t of timers) expect(await timerRow(t.id)).toMatchObject({ state: 'delivered', attempts: 1 });
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

  test('a 5xx is retried: the timer turns retrying, its retry row is in its shard, the attempt is recorded', async () => {
    receiver.status = 503;
    const timer = await scheduledTimer();
    const before = Date.now();
    await publish(timer);
    await settledCount(1);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'retrying', attempts: 1, last_status: 503, last_error: 'HTTP 503' });
    // random() = 1: the whole first backoff (10 s)
    const retryAt = row.next_attempt_at.getTime();
    expect(retryAt).toBeGreaterThanOrEqual(before + delivery.backoffMs);
    expect(await shardRowAt(timer.id)).toBe(retryAt);
    expect(row.attempt_log).toEqual([expect.objectContaining({ attempt: 1, series: 1, status: 503, error: 'HTTP 503' })]);
  });

  test('a retry is sent once due, and a delivered retry ends the series', async () => {
    receiver.answer = () => (receiver.arrivals.length === 1 ? { status: 500 } : { status: 200 });
    const timer = await scheduledTimer();
    // A 1 s backoff: the copy published below may be claimed that early, and is sent only once due.
    await dbs.main.query('UPDATE timers SET retry_backoff_ms = 1000 WHERE id = $1', [timer.id]);
    await publish(timer);
    await settledCount(1);
    const { next_attempt_at } = await timerRow(timer.id);
    // What the poller does when the retry falls due: publish the shard row's timer.
    await publish({ ...timer, fire_at: next_attempt_at.getTime() });
    await settledCount(2);
    expect(receiver.arrivals.map((a) => a.at >= next_attempt_at.getTime())).toEqual([false, true]);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'delivered', attempts: 2, last_status: 200, next_attempt_at: null });
    expect(row.attempt_log.map((e: { status: number }) => e.status)).toEqual([500, 200]);
  });

  test('an early copy of a retrying timer is dropped, not sent before its retry is due', async () => {
    receiver.status = 500;
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    // The first attempt's message delivered again (e.g. its ack was lost with the connection).
    await publish(timer);
    await settledCount(2);
    expect(receiver.arrivals).toHaveLength(1);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'retrying', attempts: 1 });
  });

  test('after the last attempt the timer is failed, with every attempt in its history', async () => {
    receiver.status = 502;
    const timer = await scheduledTimer();
    await dbs.main.query('UPDATE timers SET max_attempts = 2, retry_backoff_ms = 1000 WHERE id = $1', [timer.id]);
    await publish(timer);
    await settledCount(1);
    await publish({ ...timer, fire_at: (await timerRow(timer.id)).next_attempt_at.getTime() });
    await settledCount(2);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 2, last_status: 502, next_attempt_at: null });
    expect(row.attempt_log.map((e: { attempt: number }) => e.attempt)).toEqual([1, 2]);
  });

  test('429 with Retry-After pauses the host until then: the timer waits held on it and the attempt does not count', async () => {
    receiver.answer = () => ({ status: 429, headers: { 'retry-after': '120' } });
    const timer = await scheduledTimer();
    const before = Date.now();
    await publish(timer);
    await settledCount(1);
    const host = new URL(receiverUrl).host;
    expect(await timerRow(timer.id)).toMatchObject({ state: 'held', attempts: 0, held_on: flowKeyId('host', null, host) });
    const pause = (await dbs.main.query(`SELECT kind, key, held, paused_until FROM flow_keys WHERE id = $1`, [flowKeyId('host', null, host)])).rows[0];
    expect(pause).toMatchObject({ kind: 'host', key: host, held: 1 });
    expect(pause.paused_until.getTime()).toBeGreaterThanOrEqual(before + 120_000);
    expect(pause.paused_until.getTime()).toBeLessThanOrEqual(Date.now() + 120_000);
    // The next timer for that host is held without being sent.
    const next = await scheduledTimer();
    await publish(next);
    await settledCount(2);
    expect(await timerRow(next.id)).toMatchObject({ state: 'held', attempts: 0 });
    expect(receiver.arrivals).toHaveLength(1);
  });

  test('a 4xx other than 408 and 429 is final: failed at once', async () => {
    receiver.status = 404;
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'failed', attempts: 1, last_status: 404 });
    expect(await shardRowAt(timer.id)).toBeNull();
  });

  test('an unreachable callback is retried, with the network error recorded', async () => {
    const timer = await scheduledTimer();
    const unreachable = { ...timer, url: 'http://127.0.0.1:1/hook' };
    await dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [timer.id, unreachable.url]);
    await publish(unreachable);
    await settledCount(1);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'retrying', last_status: null, last_error: 'ECONNREFUSED' });
  });

  test('a timer another trigger is delivering is re-checked through its shard when that claim expires', async () => {
    const timer = await scheduledTimer();
    const until = Date.now() + 60_000;
    await dbs.main.query(`UPDATE timers SET state = 'firing', attempts = 1, claim_expires_at = to_timestamp($2 / 1000.0) WHERE id = $1`, [timer.id, until]);
    await publish(timer);
    await settledCount(1);
    expect(receiver.arrivals).toHaveLength(0);
    expect(await shardRowAt(timer.id)).toBe(until);
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
    // Copied to the dead-letter queue with the reason, then acked: never requeued.
    expect(settled.find((s) => s.id === 'poison')).toEqual({ id: 'poison', kind: 'ack', requeue: false });
    expect(receiver.arrivals).toHaveLength(1);
    const dead = await nextMessage(amqp.names.timersToFireDead);
    expect(dead.body).toBe('not json');
    expect(dead.headers).toMatchObject({ 'x-dead-reason': 'undecodable: message body is not JSON', 'x-dead-queue': amqp.names.timersToFire });
  });
});

describe('callback safety', () => {
  test('a callback on an address the policy refuses is failed without a request', async () => {
    await agents.destroy();
    agents = createAgents(16, new AddressPolicy());
    await startTrigger(10);
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    expect(receiver.arrivals).toHaveLength(0);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, last_status: null });
    expect(row.last_error).toMatch(/^refused: 127\.0\.0\.1 is a loopback/);
  });

  test('a name that resolves to a refused address is not connected to (checked after DNS)', async () => {
    await agents.destroy();
    // ::1 allowed, 127/8 not: "localhost" is allowed as a name, but its IPv4 address is refused after resolution.
    agents = createAgents(16, new AddressPolicy(['::1/128']));
    await startTrigger(10);
    const timer = await scheduledTimer();
    const byName = { ...timer, url: timer.url.replace('127.0.0.1', 'localhost') };
    await dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [timer.id, byName.url]);
    await publish(byName);
    await settledCount(1);
    expect(receiver.arrivals).toHaveLength(0);
    expect((await timerRow(timer.id)).last_error).toMatch(/^refused: localhost resolves only to refused addresses/);
  });
});

describe('a hanging host beside a fast one', () => {
  test("the fast host's timers are all delivered while the hanging host's requests are still held", async () => {
    const slow = new WebhookReceiver();
    slow.answer = () => 'hang';
    const slowUrl = await slow.listen();
    try {
      // Prefetch 20 and 4 per host in flight + 4 waiting: without per-host limits, the first 20 hanging
      // timers would hold every prefetch slot until their 30 s timeout.
      await startTrigger(20, {
        hosts: new HostLimiter({ concurrency: 4, ratePerSecond: 0, maxWaiting: 4, stallMs: 500 }),
        delivery: { ...delivery, timeoutMs: 30_000 },
      });
      const slowTimers = await Promise.all(Array.from({ length: 40 }, () => scheduledTimer()));
      for (const t of slowTimers) await dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [t.id, `${slowUrl}/hook`]);
      const fastTimers = await Promise.all(Array.from({ length: 40 }, () => scheduledTimer()));
      for (const t of slowTimers) await publish({ ...t, url: `${slowUrl}/hook` });
      for (const t of fastTimers) await publish(t);
      await receiver.waitFor(40, 20_000);
      expect(new Set(receiver.arrivals.map((a) => a.id))).toEqual(new Set(fastTimers.map((t) => t.id)));
      // The hanging host got only its limit, and still holds them: nothing was waiting for it to give up.
      expect(slow.arrivals).toHaveLength(4);
      expect(slow.hangingCount).toBe(4);
      // The rest of its timers went back to their shards, to be tried again a moment later.
      const deferred = await Promise.all(slowTimers.map((t) => shardRowAt(t.id)));
      expect(deferred.filter((at) => at !== null).length).toBeGreaterThanOrEqual(40 - 4 - 4);
    } finally {
      await slow.close();
    }
  });
});

describe('a host with a rate limit', () => {
  test('starts at most its bucket at once, keeps maxWaiting waiting for tokens and defers the rest through their shards', async () => {
    // 2 per second with a bucket of 2, 2 may wait: of 10 timers due now, 2 go at once, 2 wait for
    // tokens, 6 are deferred. All 10 are acked: the deferred ones are back in their shards.
    await startTrigger(20, { hosts: new HostLimiter({ concurrency: 16, ratePerSecond: 2, maxWaiting: 2, stallMs: 60_000 }) });
    const timers = await Promise.all(Array.from({ length: 10 }, () => scheduledTimer()));
    await Promise.all(timers.map(publish));
    await settledCount(10);
    expect(receiver.arrivals).toHaveLength(4);
    const delivered = new Set(receiver.arrivals.map((a) => a.id));
    const deferred = timers.filter((t) => !delivered.has(t.id));
    expect(deferred).toHaveLength(6);
    for (const t of deferred) {
      expect(await shardRowAt(t.id)).not.toBeNull();
      expect((await timerRow(t.id)).state).toBe('scheduled');
    }
  });
});

describe('a receiver that does not answer', () => {
  test('the attempt ends at the webhook timeout, is recorded as timed out and retried later', async () => {
    receiver.answer = () => 'hang';
    await startTrigger(10, { delivery: { ...delivery, timeoutMs: 300 } });
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    expect(settled).toEqual([{ id: timer.id, kind: 'ack', requeue: false }]);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'retrying', attempts: 1, last_error: 'timed out after 300 ms', last_status: null });
    expect(await shardRowAt(timer.id)).toBe(row.next_attempt_at.getTime());
  });
});

describe('graceful stop', () => {
  test('a drain cuts a webhook still hanging after its grace period, records it and hands the timer back due now', async () => {
    receiver.answer = () => 'hang';
    const due = await startTrigger(10, { delivery: { ...delivery, timeoutMs: 60_000 } });
    const timer = await scheduledTimer();
    await publish(timer);
    await receiver.waitFor(1, 10_000);
    const before = Date.now();
    await due.drain(100);
    await settledCount(1);
    expect(settled).toEqual([{ id: timer.id, kind: 'ack', requeue: false }]);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'retrying', attempts: 1, last_error: 'interrupted: the trigger stopped' });
    expect(row.next_attempt_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(await shardRowAt(timer.id)).toBe(row.next_attempt_at.getTime());
  });
});

describe('outcome callbacks', () => {
  const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

  beforeEach(async () => {
    await agents.destroy();
    agents = createAgents(16, new AddressPolicy(LOOPBACK_CIDRS), webhookSigner([SECRET]));
    await startTrigger(100, { delivery: { ...delivery, maxAttempts: 1 } });
  });

  /** A due timer that names where its outcome is told. */
  async function tellingTimer(path: string, callbacks: { callback_url?: string; failure_callback_url?: string }): Promise<DueTimer> {
    const timer = { id: newTimerId(), url: `${receiverUrl}${path}`, fire_at: Date.now() };
    await dbs.main.query('INSERT INTO timers (id, url, fire_at, created_at, callback_url, failure_callback_url) VALUES ($1, $2, to_timestamp($3 / 1000.0), now(), $4, $5)', [
      timer.id,
      timer.url,
      timer.fire_at,
      callbacks.callback_url ?? null,
      callbacks.failure_callback_url ?? null,
    ]);
    return timer;
  }

  const callbacksOf = async (id: string) =>
    (await dbs.main.query<{ id: string; url: string; state: string; body: string }>('SELECT id, url, state, body, callback_of, callback_outcome FROM timers WHERE callback_of = $1', [id])).rows;

  /** Delivers a callback timer as its shard's poller would: its due message on timers_to_fire. */
  async function deliverCallback(callback: { id: string; url: string }): Promise<void> {
    expect(await shardRowAt(callback.id)).not.toBeNull();
    await publish({ id: callback.id, url: callback.url, fire_at: Date.now() });
  }

  test("a delivered timer's callback carries the destination's status, headers and body, once, signed, with its own idempotency key", async () => {
    receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 201, headers: { 'content-type': 'application/json', 'x-job': 'j-7' }, body: '{"job":"j-7","queued":true}' } : { status: 200 });
    const timer = await tellingTimer('/work', { callback_url: `${receiverUrl}/done`, failure_callback_url: `${receiverUrl}/failed` });
    await publish(timer);
    await settledCount(1);
    const [callback] = await callbacksOf(timer.id);
    expect(callback).toMatchObject({ id: callbackId(timer.id, 1, 'delivered', 'callback_url'), url: `${receiverUrl}/done`, state: 'scheduled', callback_outcome: 'delivered' });
    await deliverCallback(callback!);
    await settledCount(2);
    expect(receiver.arrivals.map((a) => a.path)).toEqual(['/work', '/done']);
    const told = receiver.arrivals[1]!;
    expect(JSON.parse(told.body)).toMatchObject({
      type: 'timer.delivered',
      timer_id: timer.id,
      url: timer.url,
      state: 'delivered',
      attempts: 1,
      status: 201,
      error: null,
      response: { status: 201, headers: { 'content-type': 'application/json', 'x-job': 'j-7' }, body: '{"job":"j-7","queued":true}', body_encoding: 'utf8', body_truncated: false },
    });
    expect(told.headers['idempotency-key']).toBe(callback!.id);
    // Verifiable with the secret alone (Standard Webhooks).
    const signed = `${told.headers['webhook-id']}.${told.headers['webhook-timestamp']}.${told.body}`;
    expect(told.headers['webhook-signature']).toBe(`v1,${createHmac('sha256', secretBytes(SECRET)).update(signed).digest('base64')}`);
    expect(told.headers['webhook-id']).toBe(callback!.id);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'delivered' });
    expect((await timerRow(callback!.id)).state).toBe('delivered');
  });

  test('a timer failed for good tells its failure callback with the error and the answer; its success callback is not called', async () => {
    receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 500, body: 'database is down' } : { status: 200 });
    const timer = await tellingTimer('/work', { callback_url: `${receiverUrl}/done`, failure_callback_url: `${receiverUrl}/failed` });
    await publish(timer);
    await settledCount(1);
    const callbacks = await callbacksOf(timer.id);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ id: callbackId(timer.id, 1, 'failed', 'failure_callback_url'), url: `${receiverUrl}/failed`, callback_outcome: 'failed' });
    expect(JSON.parse(callbacks[0]!.body)).toMatchObject({ type: 'timer.failed', state: 'failed', status: 500, error: 'HTTP 500', response: { status: 500, body: 'database is down' } });
  });

  test('an answer that is not UTF-8 is carried as base64; one over 64 KiB is cut there and says so', async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    receiver.answer = (arrival) =>
      arrival.path === '/binary'
        ? { status: 200, body: binary }
        : arrival.path === '/large'
          ? { status: 200, headers: { 'content-type': 'text/plain', 'x-unrecorded': 'no' }, body: 'z'.repeat(100 * 1024) }
          : { status: 200 };
    const binaryTimer = await tellingTimer('/binary', { callback_url: `${receiverUrl}/done` });
    const largeTimer = await tellingTimer('/large', { callback_url: `${receiverUrl}/done` });
    await publish(binaryTimer);
    await publish(largeTimer);
    await settledCount(2);
    const binaryBody = JSON.parse((await callbacksOf(binaryTimer.id))[0]!.body);
    expect(binaryBody.response).toMatchObject({ body: binary.toString('base64'), body_encoding: 'base64', body_bytes: 4, body_truncated: false });
    const largeBody = JSON.parse((await callbacksOf(largeTimer.id))[0]!.body);
    expect(largeBody.response).toMatchObject({ body: 'z'.repeat(64 * 1024), body_encoding: 'utf8', body_truncated: true });
    // The attempt's own record keeps the first KiB and the chosen headers.
    const [attempt] = (await timerRow(largeTimer.id)).attempt_log;
    expect(attempt.response).toMatchObject({ status: 200, body: 'z'.repeat(1024), body_truncated: true });
    expect(attempt.response.headers).toEqual({ 'content-type': 'text/plain' });
  });

  test("a failing callback is retried on its own and does not change its timer's outcome", async () => {
    receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 200 } : { status: 503 });
    await startTrigger(100, { delivery: { ...delivery, maxAttempts: 3 } });
    const timer = await tellingTimer('/work', { callback_url: `${receiverUrl}/done` });
    await publish(timer);
    await settledCount(1);
    const [callback] = await callbacksOf(timer.id);
    await deliverCallback(callback!);
    await settledCount(2);
    expect(await timerRow(callback!.id)).toMatchObject({ state: 'retrying', last_status: 503 });
    expect(await timerRow(timer.id)).toMatchObject({ state: 'delivered', last_status: 200 });
  });

  test("a copy of a told timer's message writes its waiting callback's shard row again (its writer stopped before it)", async () => {
    const timer = await tellingTimer('/work', { callback_url: `${receiverUrl}/done` });
    await publish(timer);
    await settledCount(1);
    const [callback] = await callbacksOf(timer.id);
    // As if the trigger had stopped between the outcome's statement and the callback's shard row.
    await dbs.shards[shardOf(callback!.id, 2)]!.query('DELETE FROM timers_to_fire WHERE id = $1', [callback!.id]);
    await publish(timer);
    await settledCount(2);
    expect(await shardRowAt(callback!.id)).not.toBeNull();
    expect(receiver.arrivals.filter((a) => a.path === '/work')).toHaveLength(1);
  });

  test("a replayed timer tells its new series' outcome under a new id; the first series' callback stays", async () => {
    receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 500 } : { status: 200 });
    const timer = await tellingTimer('/work', { failure_callback_url: `${receiverUrl}/failed` });
    await publish(timer);
    await settledCount(1);
    expect(await markReplayed(dbs.main, [timer.id], Date.now())).toHaveLength(1);
    await publish(timer);
    await settledCount(2);
    const told = await callbacksOf(timer.id);
    expect(told.map((c) => c.id).sort()).toEqual([callbackId(timer.id, 1, 'failed', 'failure_callback_url'), callbackId(timer.id, 2, 'failed', 'failure_callback_url')].sort());
    const second = told.find((c) => c.id === callbackId(timer.id, 2, 'failed', 'failure_callback_url'))!;
    expect(JSON.parse(second.body)).toMatchObject({ type: 'timer.failed', replays: 1, attempts: 1 });
  });

  test('a timer without callbacks makes none', async () => {
    const timer = await scheduledTimer('/work');
    await publish(timer);
    await settledCount(1);
    expect(await callbacksOf(timer.id)).toEqual([]);
  });
});
