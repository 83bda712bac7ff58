// End to end: outcomes told without polling. A timer's callback receives the destination's answer
// through the whole pipeline (and GET /timer/{id} shows the callback and each attempt's answer), a
// schedule's runs tell theirs, callback URLs the address policy refuses are refused at creation, and a
// trigger killed with -9 between the destination's answer and the callback still gets the callback
// delivered, under one idempotency key.
import { jest } from '@jest/globals';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import type { Arrival } from '../helpers/webhook-receiver.js';
import { createHmac } from 'node:crypto';
import { callbackId } from '../../common/webhooks/callbacks.js';
import { secretBytes } from '../../common/webhooks/signing-secret.js';

jest.setTimeout(180_000);

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

// A killed trigger's claims lapse after WEBHOOK_TIMEOUT_MS and a few seconds.
const e2e = useStackWithReceiver({
  replicas: { trigger: 1, worker: 1 },
  env: { WEBHOOK_TIMEOUT_MS: '3000', WEBHOOK_SIGNING_SECRETS: SECRET, TASK_TESTING_TYPES: 'true' },
});

/** Whether a request's Standard Webhooks signature verifies with the secret alone. */
function signedWith(secret: string, arrival: Arrival): boolean {
  const signed = `${arrival.headers['webhook-id']}.${arrival.headers['webhook-timestamp']}.${arrival.body}`;
  return arrival.headers['webhook-signature'] === `v1,${createHmac('sha256', secretBytes(secret)).update(signed).digest('base64')}`;
}

const post = (path: string, body: unknown) => fetch(`${e2e.env.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const arrivalsAt = (path: string): Arrival[] => e2e.receiver.arrivals.filter((a) => a.path === path);

/** Resolves once `count` requests for `path` have arrived. */
async function arrived(path: string, count: number, timeoutMs = 60_000): Promise<Arrival[]> {
  while (arrivalsAt(path).length < count) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, timeoutMs);
  return arrivalsAt(path);
}

interface TimerAnswer {
  id: string;
  state: string;
  attempt_history: Array<{ status: number | null; response?: { status: number; headers: Record<string, string>; body: string } }>;
  callbacks?: Array<{ id: string; outcome: string; url: string; state: string; attempts: number }>;
}

/** GET /timer/{id} until `done` says so (each read is an answer of the API). */
async function timerUntil(id: string, done: (timer: TimerAnswer) => boolean): Promise<TimerAnswer> {
  for (;;) {
    const timer = (await (await fetch(`${e2e.env.url}/timer/${id}`)).json()) as TimerAnswer;
    if (done(timer)) return timer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("a timer's callback gets the destination's answer, and GET /timer/{id} shows the callback and each attempt's answer", async () => {
  e2e.receiver.answer = (arrival) => (arrival.path === '/work' ? { status: 202, headers: { 'content-type': 'application/json' }, body: '{"accepted":true}' } : { status: 200 });
  const res = await post('/timer', { seconds: 1, url: `${e2e.hook}/work`, callback_url: `${e2e.hook}/done`, failure_callback_url: `${e2e.hook}/failed` });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const [told] = await arrived('/done', 1);
  expect(JSON.parse(told!.body)).toMatchObject({ type: 'timer.delivered', timer_id: id, status: 202, response: { status: 202, body: '{"accepted":true}', body_encoding: 'utf8' } });
  expect(signedWith(SECRET, told!)).toBe(true);
  const timer = await timerUntil(id, (t) => t.callbacks?.[0]?.state === 'delivered');
  expect(timer.state).toBe('delivered');
  expect(timer.attempt_history[0]!.response).toMatchObject({ status: 202, headers: { 'content-type': 'application/json' }, body: '{"accepted":true}' });
  expect(timer.callbacks).toEqual([expect.objectContaining({ id: callbackId(id, 1, 'delivered', 'callback_url'), outcome: 'delivered', url: `${e2e.hook}/done`, attempts: 1 })]);
  expect(arrivalsAt('/failed')).toEqual([]);
  // Listed apart: ?kind=callback lists the callback, ?kind=timer the timer and not its callback.
  const listed = async (kind: string) => ((await (await fetch(`${e2e.env.url}/timers?kind=${kind}&limit=500`)).json()) as { timers: Array<{ id: string }> }).timers.map((t) => t.id);
  const callbacks = await listed('callback');
  const timers = await listed('timer');
  expect(callbacks).toContain(timer.callbacks![0]!.id);
  expect(callbacks).not.toContain(id);
  expect(timers).toContain(id);
  expect(timers).not.toContain(timer.callbacks![0]!.id);
  expect((await fetch(`${e2e.env.url}/timers?kind=webhook`)).status).toBe(422);
});

test("a schedule's runs tell their outcomes to its callback URL", async () => {
  const res = await post('/schedules', { every: '1s', url: `${e2e.hook}/run`, callback_url: `${e2e.hook}/run-done` });
  expect(res.status).toBe(201);
  const schedule = (await res.json()) as { id: string; callback_url: string };
  expect(schedule.callback_url).toBe(`${e2e.hook}/run-done`);
  const [told] = await arrived('/run-done', 1);
  expect(JSON.parse(told!.body)).toMatchObject({ type: 'timer.delivered', schedule_id: schedule.id, status: 200 });
  expect((await fetch(`${e2e.env.url}/schedules/${schedule.id}`, { method: 'DELETE' })).status).toBe(204);
});

test("a task's result_url gets its result when it succeeds and its error when it fails for good, signed; POST /tasks?wait= answers as before", async () => {
  const res = await post('/tasks?wait=10', { type: 'sum', args: { numbers: [2, 3] }, result_url: `${e2e.hook}/task-result` });
  expect(res.status).toBe(200);
  const done = (await res.json()) as { id: string; state: string; result: unknown };
  expect(done).toMatchObject({ state: 'succeeded', result: 5 });
  const [succeeded] = await arrived('/task-result', 1);
  expect(JSON.parse(succeeded!.body)).toMatchObject({ type: 'task.succeeded', task_id: done.id, state: 'succeeded', result: 5, error: null });
  expect(signedWith(SECRET, succeeded!)).toBe(true);

  const failing = await post('/tasks', { type: 'fail', args: { message: 'no such invoice' }, result_url: `${e2e.hook}/task-result`, failure_callback_url: `${e2e.hook}/task-failed` });
  expect(failing.status).toBe(202);
  const { id } = (await failing.json()) as { id: string };
  const [failed] = await arrived('/task-failed', 1);
  const results = await arrived('/task-result', 2);
  for (const told of [failed!, results[1]!]) {
    expect(JSON.parse(told.body)).toMatchObject({ type: 'task.failed', task_id: id, state: 'failed', result: null, error: 'no such invoice' });
    expect(signedWith(SECRET, told)).toBe(true);
  }
});

test('a callback or failure callback URL the address policy refuses is refused at creation, naming the field', async () => {
  const metadata = 'http://169.254.169.254/latest/meta-data';
  const cases: Array<[string, unknown, string]> = [
    ['/timer', { seconds: 5, url: `${e2e.hook}/x`, callback_url: metadata }, 'callback_url'],
    ['/timer', { seconds: 5, url: `${e2e.hook}/x`, failure_callback_url: 'http://10.0.0.8/alerts' }, 'failure_callback_url'],
    ['/timers', { timers: [{ seconds: 5, url: `${e2e.hook}/x`, callback_url: metadata }] }, 'callback_url'],
    ['/schedules', { every: '1h', url: `${e2e.hook}/x`, failure_callback_url: metadata }, 'failure_callback_url'],
  ];
  for (const [path, body, field] of cases) {
    const res = await post(path, body);
    const answer = (await res.json()) as { error?: string; details?: Array<{ field: string }>; results?: unknown[] };
    if (path === '/timers') {
      expect(answer.results![0]).toMatchObject({ status: 422, error: 'callback_refused', details: [{ field }] });
    } else {
      expect(res.status).toBe(422);
      expect(answer).toMatchObject({ error: 'callback_refused', details: [{ field }] });
    }
  }
  const malformed = await post('/timer', { seconds: 5, url: `${e2e.hook}/x`, callback_url: 'not a url' });
  expect(malformed.status).toBe(422);
  expect(await malformed.json()).toMatchObject({ error: 'validation_failed', details: [{ field: 'callback_url' }] });
});

test("a trigger killed with -9 between the destination's answer and the callback: the callback is still delivered, under one idempotency key", async () => {
  const db = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await db.connect();
  try {
    e2e.receiver.answer = (arrival) => (arrival.path === '/slow' ? 'hang' : { status: 200 });
    const res = await post('/timer', { seconds: 1, url: `${e2e.hook}/slow`, callback_url: `${e2e.hook}/slow-done` });
    const { id } = (await res.json()) as { id: string };
    await arrived('/slow', 1);
    // The trigger is waiting for the answer. Writes to timers now wait, so the trigger stops right after
    // the answer, at the statement that keeps the outcome and makes the callback.
    await db.query('BEGIN');
    await db.query('LOCK TABLE timers IN EXCLUSIVE MODE');
    expect(e2e.receiver.answerHanging(200, { 'content-type': 'text/plain' }, 'done')).toBe(1);
    // The statement that keeps an outcome with its callback starts "WITH written" (its text is shown cut
    // short); activity is read afresh each time (within a transaction PostgreSQL keeps the first read).
    const blocked = async () => {
      await db.query('SELECT pg_stat_clear_snapshot()');
      const found = await db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH written%'`);
      return found.rowCount! > 0;
    };
    while (!(await blocked())) await new Promise((resolve) => setTimeout(resolve, 50));
    const [trigger] = e2e.env.stack.of('trigger');
    await trigger!.kill('SIGKILL');
    await db.query('ROLLBACK');
    e2e.receiver.answer = () => ({ status: 200 });
    await trigger!.start();
    // Whether the dead trigger's statement was kept or not, the callback arrives, always under its one key.
    const [first] = await arrived('/slow-done', 1);
    const key = callbackId(id, 1, 'delivered', 'callback_url');
    expect(first!.headers['idempotency-key']).toBe(key);
    const callback = (await timerUntil(id, (t) => t.state === 'delivered' && t.callbacks?.[0]?.state === 'delivered')).callbacks![0]!;
    expect(callback.id).toBe(key);
    expect(arrivalsAt('/slow-done').every((a) => a.headers['idempotency-key'] === key)).toBe(true);
    expect(JSON.parse(first!.body)).toMatchObject({ timer_id: id, status: 200 });
  } finally {
    await db.end();
  }
});
