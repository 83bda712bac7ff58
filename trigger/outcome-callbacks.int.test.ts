// Integration: outcome callbacks on real RabbitMQ and PostgreSQL. A timer's outcome makes its callback
// timer with the destination's answer, signed and under its own idempotency key, and the callback is
// delivered, retried and recorded as a timer of its own.
import type { DueTimer } from '../common/messages/timer-message.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { shardOf } from '../common/store/shard.js';
import { createHmac } from 'node:crypto';
import { callbackId } from '../common/webhooks/callbacks.js';
import { markReplayed } from '../common/store/timers.js';
import { secretBytes } from '../common/webhooks/signing-secret.js';
import { webhookSigner } from './sign-webhook.js';
import { DELIVERY, useTriggerHarness } from '../test/helpers/trigger-harness.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

const h = useTriggerHarness(webhookSigner([SECRET]));
const { startTrigger, scheduledTimer, settledCount, publish, timerRow, shardRowAt } = h;

describe('outcome callbacks', () => {
  beforeEach(async () => {
    await startTrigger(100, { delivery: { ...DELIVERY, maxAttempts: 1 } });
  });

  /** A due timer that names where its outcome is told. */
  async function tellingTimer(path: string, callbacks: { callback_url?: string; failure_callback_url?: string }): Promise<DueTimer> {
    const timer = { id: newTimerId(), url: `${h.receiverUrl}${path}`, fire_at: Date.now() };
    await h.dbs.main.query('INSERT INTO timers (id, url, fire_at, created_at, callback_url, failure_callback_url) VALUES ($1, $2, to_timestamp($3 / 1000.0), now(), $4, $5)', [
      timer.id,
      timer.url,
      timer.fire_at,
      callbacks.callback_url ?? null,
      callbacks.failure_callback_url ?? null,
    ]);
    return timer;
  }

  const callbacksOf = async (id: string) =>
    (await h.dbs.main.query<{ id: string; url: string; state: string; body: string }>('SELECT id, url, state, body, callback_of, callback_outcome FROM timers WHERE callback_of = $1', [id])).rows;

  /** Delivers a callback timer as its shard's poller would: its due message on timers_to_fire. */
  async function deliverCallback(callback: { id: string; url: string }): Promise<void> {
    expect(await shardRowAt(callback.id)).not.toBeNull();
    await publish({ id: callback.id, url: callback.url, fire_at: Date.now() });
  }

  test("a delivered timer's callback carries the destination's status, headers and body, once, signed, with its own idempotency key", async () => {
    h.receiver.answer = (arrival) =>
      arrival.path === '/work' ? { status: 201, headers: { 'content-type': 'application/json', 'x-job': 'j-7' }, body: '{"job":"j-7","queued":true}' } : { status: 200 };
    const timer = await tellingTimer('/work', { callback_url: `${h.receiverUrl}/done`, failure_callback_url: `${h.receiverUrl}/failed` });
    await publish(timer);
    await settledCount(1);
    const [callback] = await callbacksOf(timer.id);
    expect(callback).toMatchObject({ id: callbackId(timer.id, 1, 'delivered', 'callback_url'), url: `${h.receiverUrl}/done`, state: 'scheduled', callback_outcome: 'delivered' });
    await deliverCallback(callback!);
    await settledCount(2);
    expect(h.receiver.arrivals.map((a) => a.path)).toEqual(['/work', '/done']);
    const told = h.receiver.arrivals[1]!;
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
    h.receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 500, body: 'database is down' } : { status: 200 });
    const timer = await tellingTimer('/work', { callback_url: `${h.receiverUrl}/done`, failure_callback_url: `${h.receiverUrl}/failed` });
    await publish(timer);
    await settledCount(1);
    const callbacks = await callbacksOf(timer.id);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ id: callbackId(timer.id, 1, 'failed', 'failure_callback_url'), url: `${h.receiverUrl}/failed`, callback_outcome: 'failed' });
    expect(JSON.parse(callbacks[0]!.body)).toMatchObject({ type: 'timer.failed', state: 'failed', status: 500, error: 'HTTP 500', response: { status: 500, body: 'database is down' } });
  });

  test('an answer that is not UTF-8 is carried as base64; one over 64 KiB is cut there and says so', async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    h.receiver.answer = (arrival) =>
      arrival.path === '/binary'
        ? { status: 200, body: binary }
        : arrival.path === '/large'
          ? { status: 200, headers: { 'content-type': 'text/plain', 'x-unrecorded': 'no' }, body: 'z'.repeat(100 * 1024) }
          : { status: 200 };
    const binaryTimer = await tellingTimer('/binary', { callback_url: `${h.receiverUrl}/done` });
    const largeTimer = await tellingTimer('/large', { callback_url: `${h.receiverUrl}/done` });
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
    h.receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 200 } : { status: 503 });
    await startTrigger(100, { delivery: { ...DELIVERY, maxAttempts: 3 } });
    const timer = await tellingTimer('/work', { callback_url: `${h.receiverUrl}/done` });
    await publish(timer);
    await settledCount(1);
    const [callback] = await callbacksOf(timer.id);
    await deliverCallback(callback!);
    await settledCount(2);
    expect(await timerRow(callback!.id)).toMatchObject({ state: 'retrying', last_status: 503 });
    expect(await timerRow(timer.id)).toMatchObject({ state: 'delivered', last_status: 200 });
  });

  test("a copy of a told timer's message writes its waiting callback's shard row again (its writer stopped before it)", async () => {
    const timer = await tellingTimer('/work', { callback_url: `${h.receiverUrl}/done` });
    await publish(timer);
    await settledCount(1);
    const [callback] = await callbacksOf(timer.id);
    // As if the trigger had stopped between the outcome's statement and the callback's shard row.
    await h.dbs.shards[shardOf(callback!.id, 2)]!.query('DELETE FROM timers_to_fire WHERE id = $1', [callback!.id]);
    await publish(timer);
    await settledCount(2);
    expect(await shardRowAt(callback!.id)).not.toBeNull();
    expect(h.receiver.arrivals.filter((a) => a.path === '/work')).toHaveLength(1);
  });

  test("a replayed timer tells its new series' outcome under a new id; the first series' callback stays", async () => {
    h.receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 500 } : { status: 200 });
    const timer = await tellingTimer('/work', { failure_callback_url: `${h.receiverUrl}/failed` });
    await publish(timer);
    await settledCount(1);
    expect(await markReplayed(h.dbs.main, [timer.id], Date.now())).toHaveLength(1);
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
