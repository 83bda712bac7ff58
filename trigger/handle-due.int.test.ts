// Integration: the trigger on real RabbitMQ and PostgreSQL, POSTing to a webhook receiver on loopback.
import { encodeMessage } from '../common/messages/timer-message.js';
import { nextMessage } from '../test/helpers/broker.js';
import { WebhookReceiver } from '../test/helpers/webhook-receiver.js';
import { createAgents, USER_AGENT } from './deliver-webhook.js';
import { HostLimiter } from './host-limiter.js';
import { AddressPolicy } from '../common/webhooks/callback-address.js';
import { flowKeyId } from '../common/store/flow-keys.js';
import { DELIVERY, useTriggerHarness } from '../test/helpers/trigger-harness.js';

const h = useTriggerHarness();
const { startTrigger, scheduledTimer, settledCount, publish, timerRow, shardRowAt } = h;

describe('with the default trigger', () => {
  beforeEach(() => startTrigger(100));

  test('the webhook is a POST of {"id"} with JSON content type, a User-Agent and the id as idempotency key', async () => {
    const timer = await scheduledTimer('/hook?x=1');
    await publish(timer);
    await settledCount(1);
    expect(h.receiver.arrivals).toHaveLength(1);
    const [arrival] = h.receiver.arrivals;
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
    await h.amqp.publish(h.amqp.names.timersToFire, encodeMessage({ timers }), { messageId: timers[0]!.id });
    await settledCount(1);
    expect(h.settled).toEqual([{ id: timers[0]!.id, kind: 'ack', requeue: false }]);
    expect(h.receiver.arrivals.map((a) => a.id).sort()).toEqual(timers.map((t) => t.id).sort());
    for (const t of timers) expect(await timerRow(t.id)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  test('the trigger drops a duplicate message: one webhook, both messages acked', async () => {
    const timer = await scheduledTimer();
    await Promise.all([publish(timer), publish(timer)]);
    await settledCount(2);
    expect(h.settled.map((s) => s.kind)).toEqual(['ack', 'ack']);
    expect(h.receiver.arrivals).toHaveLength(1);
    // A third copy arriving long after DELIVERY is dropped as well.
    await publish(timer);
    await settledCount(3);
    expect(h.receiver.arrivals).toHaveLength(1);
    expect((await timerRow(timer.id)).attempts).toBe(1);
  });

  test('a 5xx is retried: the timer turns retrying, its retry row is in its shard, the attempt is recorded', async () => {
    h.receiver.status = 503;
    const timer = await scheduledTimer();
    const before = Date.now();
    await publish(timer);
    await settledCount(1);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'retrying', attempts: 1, last_status: 503, last_error: 'HTTP 503' });
    // random() = 1: the whole first backoff (10 s)
    const retryAt = row.next_attempt_at.getTime();
    expect(retryAt).toBeGreaterThanOrEqual(before + DELIVERY.backoffMs);
    expect(await shardRowAt(timer.id)).toBe(retryAt);
    expect(row.attempt_log).toEqual([expect.objectContaining({ attempt: 1, series: 1, status: 503, error: 'HTTP 503' })]);
  });

  test('a retry is sent once due, and a delivered retry ends the series', async () => {
    h.receiver.answer = () => (h.receiver.arrivals.length === 1 ? { status: 500 } : { status: 200 });
    const timer = await scheduledTimer();
    // A 1 s backoff: the copy published below may be claimed that early, and is sent only once due.
    await h.dbs.main.query('UPDATE timers SET retry_backoff_ms = 1000 WHERE id = $1', [timer.id]);
    await publish(timer);
    await settledCount(1);
    const { next_attempt_at } = await timerRow(timer.id);
    // What the poller does when the retry falls due: publish the shard row's timer.
    await publish({ ...timer, fire_at: next_attempt_at.getTime() });
    await settledCount(2);
    expect(h.receiver.arrivals.map((a) => a.at >= next_attempt_at.getTime())).toEqual([false, true]);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'delivered', attempts: 2, last_status: 200, next_attempt_at: null });
    expect(row.attempt_log.map((e: { status: number }) => e.status)).toEqual([500, 200]);
  });

  test('an early copy of a retrying timer is dropped, not sent before its retry is due', async () => {
    h.receiver.status = 500;
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    // The first attempt's message delivered again (e.g. its ack was lost with the connection).
    await publish(timer);
    await settledCount(2);
    expect(h.receiver.arrivals).toHaveLength(1);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'retrying', attempts: 1 });
  });

  test('after the last attempt the timer is failed, with every attempt in its history', async () => {
    h.receiver.status = 502;
    const timer = await scheduledTimer();
    await h.dbs.main.query('UPDATE timers SET max_attempts = 2, retry_backoff_ms = 1000 WHERE id = $1', [timer.id]);
    await publish(timer);
    await settledCount(1);
    await publish({ ...timer, fire_at: (await timerRow(timer.id)).next_attempt_at.getTime() });
    await settledCount(2);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 2, last_status: 502, next_attempt_at: null });
    expect(row.attempt_log.map((e: { attempt: number }) => e.attempt)).toEqual([1, 2]);
  });

  test('429 with Retry-After pauses the host until then: the timer waits held on it and the attempt does not count', async () => {
    h.receiver.answer = () => ({ status: 429, headers: { 'retry-after': '120' } });
    const timer = await scheduledTimer();
    const before = Date.now();
    await publish(timer);
    await settledCount(1);
    const host = new URL(h.receiverUrl).host;
    expect(await timerRow(timer.id)).toMatchObject({ state: 'held', attempts: 0, held_on: flowKeyId('host', null, host) });
    const pause = (await h.dbs.main.query(`SELECT kind, key, held, paused_until FROM flow_keys WHERE id = $1`, [flowKeyId('host', null, host)])).rows[0];
    expect(pause).toMatchObject({ kind: 'host', key: host, held: 1 });
    expect(pause.paused_until.getTime()).toBeGreaterThanOrEqual(before + 120_000);
    expect(pause.paused_until.getTime()).toBeLessThanOrEqual(Date.now() + 120_000);
    // The next timer for that host is held without being sent.
    const next = await scheduledTimer();
    await publish(next);
    await settledCount(2);
    expect(await timerRow(next.id)).toMatchObject({ state: 'held', attempts: 0 });
    expect(h.receiver.arrivals).toHaveLength(1);
  });

  test('a 4xx other than 408 and 429 is final: failed at once', async () => {
    h.receiver.status = 404;
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'failed', attempts: 1, last_status: 404 });
    expect(await shardRowAt(timer.id)).toBeNull();
  });

  test('an unreachable callback is retried, with the network error recorded', async () => {
    const timer = await scheduledTimer();
    const unreachable = { ...timer, url: 'http://127.0.0.1:1/hook' };
    await h.dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [timer.id, unreachable.url]);
    await publish(unreachable);
    await settledCount(1);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'retrying', last_status: null, last_error: 'ECONNREFUSED' });
  });

  test('a timer another trigger is delivering is re-checked through its shard when that claim expires', async () => {
    const timer = await scheduledTimer();
    const until = Date.now() + 60_000;
    await h.dbs.main.query(`UPDATE timers SET state = 'firing', attempts = 1, claim_expires_at = to_timestamp($2 / 1000.0) WHERE id = $1`, [timer.id, until]);
    await publish(timer);
    await settledCount(1);
    expect(h.receiver.arrivals).toHaveLength(0);
    expect(await shardRowAt(timer.id)).toBe(until);
  });

  test('a timer whose trigger died mid-DELIVERY (claim expired) is taken over and delivered', async () => {
    const timer = await scheduledTimer();
    await h.dbs.main.query(`UPDATE timers SET state = 'firing', attempts = 1, claim_expires_at = now() - interval '1 second' WHERE id = $1`, [timer.id]);
    await publish(timer);
    await settledCount(1);
    expect(h.receiver.arrivals.map((a) => a.id)).toEqual([timer.id]);
    expect(await timerRow(timer.id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  test('an undecodable message is dead-lettered and does not stop the next DELIVERY', async () => {
    await h.amqp.publish(h.amqp.names.timersToFire, Buffer.from('not json'), { messageId: 'poison' });
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(2);
    // Copied to the dead-letter queue with the reason, then acked: never requeued.
    expect(h.settled.find((s) => s.id === 'poison')).toEqual({ id: 'poison', kind: 'ack', requeue: false });
    expect(h.receiver.arrivals).toHaveLength(1);
    const dead = await nextMessage(h.amqp.names.timersToFireDead);
    expect(dead.body).toBe('not json');
    expect(dead.headers).toMatchObject({ 'x-dead-reason': 'undecodable: message body is not JSON', 'x-dead-queue': h.amqp.names.timersToFire });
  });
});

describe('callback safety', () => {
  test('a callback on an address the policy refuses is failed without a request', async () => {
    await h.agents.destroy();
    h.agents = createAgents(16, new AddressPolicy());
    await startTrigger(10);
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    expect(h.receiver.arrivals).toHaveLength(0);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, last_status: null });
    expect(row.last_error).toMatch(/^refused: 127\.0\.0\.1 is a loopback/);
  });

  test('a name that resolves to a refused address is not connected to (checked after DNS)', async () => {
    await h.agents.destroy();
    // ::1 allowed, 127/8 not: "localhost" is allowed as a name, but its IPv4 address is refused after resolution.
    h.agents = createAgents(16, new AddressPolicy(['::1/128']));
    await startTrigger(10);
    const timer = await scheduledTimer();
    const byName = { ...timer, url: timer.url.replace('127.0.0.1', 'localhost') };
    await h.dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [timer.id, byName.url]);
    await publish(byName);
    await settledCount(1);
    expect(h.receiver.arrivals).toHaveLength(0);
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
        delivery: { ...DELIVERY, timeoutMs: 30_000 },
      });
      const slowTimers = await Promise.all(Array.from({ length: 40 }, () => scheduledTimer()));
      for (const t of slowTimers) await h.dbs.main.query('UPDATE timers SET url = $2 WHERE id = $1', [t.id, `${slowUrl}/hook`]);
      const fastTimers = await Promise.all(Array.from({ length: 40 }, () => scheduledTimer()));
      for (const t of slowTimers) await publish({ ...t, url: `${slowUrl}/hook` });
      for (const t of fastTimers) await publish(t);
      await h.receiver.waitFor(40, 20_000);
      expect(new Set(h.receiver.arrivals.map((a) => a.id))).toEqual(new Set(fastTimers.map((t) => t.id)));
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
    expect(h.receiver.arrivals).toHaveLength(4);
    const delivered = new Set(h.receiver.arrivals.map((a) => a.id));
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
    h.receiver.answer = () => 'hang';
    await startTrigger(10, { delivery: { ...DELIVERY, timeoutMs: 300 } });
    const timer = await scheduledTimer();
    await publish(timer);
    await settledCount(1);
    expect(h.settled).toEqual([{ id: timer.id, kind: 'ack', requeue: false }]);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'retrying', attempts: 1, last_error: 'timed out after 300 ms', last_status: null });
    expect(await shardRowAt(timer.id)).toBe(row.next_attempt_at.getTime());
  });
});

describe('graceful stop', () => {
  test('a drain cuts a webhook still hanging after its grace period, records it and hands the timer back due now', async () => {
    h.receiver.answer = () => 'hang';
    const due = await startTrigger(10, { delivery: { ...DELIVERY, timeoutMs: 60_000 } });
    const timer = await scheduledTimer();
    await publish(timer);
    await h.receiver.waitFor(1, 10_000);
    const before = Date.now();
    await due.drain(100);
    await settledCount(1);
    expect(h.settled).toEqual([{ id: timer.id, kind: 'ack', requeue: false }]);
    const row = await timerRow(timer.id);
    expect(row).toMatchObject({ state: 'retrying', attempts: 1, last_error: 'interrupted: the trigger stopped' });
    expect(row.next_attempt_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(await shardRowAt(timer.id)).toBe(row.next_attempt_at.getTime());
  });
});
