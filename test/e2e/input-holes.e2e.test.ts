// End to end through nginx: each input that once got a 201 for a timer then lost, or a 500, now gets
// the answer a client can act on. A test per hole, named by it. The last one shows that a message
// that still reaches a dead-letter queue is counted and on the dashboard.
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { AMQP_URL } from '../helpers/broker.js';
import { silentLogger } from '../helpers/logger.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver({ replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1, worker: 1 }, shards: 1, env: { DASHBOARD_OPEN: 'true' } });
let db: pg.Pool;

beforeAll(() => {
  db = new pg.Pool({ connectionString: e2e.env.mainDbUrl, max: 2 });
});
afterAll(async () => {
  await db?.end();
});

interface Answer {
  status: number;
  body: { error?: string; details?: Array<{ field: string; message: string }>; [key: string]: unknown };
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${e2e.env.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const fieldsOf = (answer: Answer) => (answer.body.details ?? []).map((d) => d.field);
const hook = () => `${e2e.hook}`;

function expectRefused(answer: Answer, field: string): void {
  expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 422, error: 'validation_failed' });
  expect(fieldsOf(answer)).toContain(field);
}

async function storedTimer(id: string): Promise<Answer> {
  return call('GET', `/timer/${id}`);
}

test('a fire_at before 1970 is a 422 naming fire_at, not a 201 followed by a dead letter', async () => {
  for (const fireAt of ['1969-12-31T23:59:59Z', '0001-01-01T00:00:00Z']) {
    expectRefused(await call('POST', '/timer', { fire_at: fireAt, url: hook() }), 'fire_at');
  }
});

test('a URL with U+0000 or an unpaired surrogate is a 422 naming url', async () => {
  expectRefused(await call('POST', '/timer', { seconds: 60, url: 'http://127.0.0.1:9/a\u0000b' }), 'url');
  expectRefused(await call('POST', '/timer', '{"seconds": 60, "url": "http://127.0.0.1:9/a\\ud800b"}'), 'url');
});

test('a batch [good, fire_at 1969, NUL url] stores the good timer and refuses the others item by item', async () => {
  const answer = await call('POST', '/timers', {
    timers: [
      { seconds: 3600, url: hook() },
      { fire_at: '1969-12-31T23:59:59Z', url: hook() },
      { seconds: 3600, url: 'http://127.0.0.1:9/a\u0000b' },
    ],
  });
  expect(answer.status).toBe(200);
  const results = answer.body.results as Array<{ status: number; id?: string; details?: Array<{ field: string }> }>;
  expect(results.map((r) => r.status)).toEqual([201, 422, 422]);
  expect(answer.body.accepted).toBe(1);
  expect(results[1]!.details!.map((d) => d.field)).toContain('fire_at');
  expect(results[2]!.details!.map((d) => d.field)).toContain('url');
  expect((await storedTimer(results[0]!.id!)).status).toBe(200);
});

test('a callback URL with user:pass@ is refused, so credentials are never stored or shown', async () => {
  expectRefused(await call('POST', '/timer', { seconds: 60, url: 'http://user:secret@127.0.0.1:9/hook' }), 'url');
});

test("instants outside PostgreSQL's range in timer filters are 422, and any offset a client writes is read", async () => {
  for (const name of ['due_before', 'due_after', 'created_before', 'created_after']) {
    expectRefused(await call('GET', `/timers?${name}=0000-01-01T00:00:00Z`), name);
    // An offset beyond PostgreSQL's ±15:59 is still an instant: it is read as UTC.
    expect((await call('GET', `/timers?${name}=${encodeURIComponent('2026-01-01T00:00:00+21:30')}`)).status).toBe(200);
  }
});

test('a forged cursor with an instant PostgreSQL cannot take is a 422 naming cursor', async () => {
  const forged = Buffer.from(JSON.stringify({ created_at: '0000-01-01T00:00:00Z', id: newTimerId() })).toString('base64url');
  expectRefused(await call('GET', `/timers?cursor=${forged}`), 'cursor');
});

test('a bulk replay with failed_after or failed_before out of range is a 422', async () => {
  expectRefused(await call('POST', '/timers/replay', { failed_after: '0000-01-01T00:00:00Z' }), 'failed_after');
  expectRefused(await call('POST', '/timers/replay', { failed_before: '0000-01-01T00:00:00Z' }), 'failed_before');
});

test('task filters with an instant out of range are a 422', async () => {
  expectRefused(await call('GET', '/tasks?created_after=0000-01-01T00:00:00Z'), 'created_after');
});

test("a NUL byte in POST /token's username is a 422, form or JSON", async () => {
  expectRefused(await call('POST', '/token', { username: 'a\u0000b@example.com', password: 'whatever-password' }), 'username');
  const form = await fetch(`${e2e.env.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a%00b&password=x' });
  expect(form.status).toBe(422);
});

test('a NUL byte in GET /tasks?type= is a 422 naming type', async () => {
  expectRefused(await call('GET', '/tasks?type=%00'), 'type');
});

test("a NUL byte in a bulk replay's url_prefix is a 422 naming url_prefix", async () => {
  expectRefused(await call('POST', '/timers/replay', { url_prefix: 'http://\u0000' }), 'url_prefix');
});

test("a NUL byte in PATCH /timer/{id}'s url is a 422 and the timer keeps its URL", async () => {
  const created = await call('POST', '/timer', { seconds: 3600, url: hook() });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expectRefused(await call('PATCH', `/timer/${id}`, { url: 'http://127.0.0.1:9/\u0000' }), 'url');
  const stored = await storedTimer(id);
  expect(stored.body.url).toBe(hook());
});

test('a NUL byte anywhere in a body, a key included, is a 422 naming where it is', async () => {
  expectRefused(await call('POST', '/tasks', { type: 'noop', args: { note: 'a\u0000b' } }), 'args.note');
  expectRefused(await call('POST', '/api/data', { log: '1.2.3.4 GET /\u0000 200' }), 'log');
  expectRefused(await call('POST', '/timer', { seconds: 60, url: hook(), body: { 'k\u0000': 1 } }), 'body.k\u0000');
});

test('POST /sync/sum with [1e308, 1e308] is a 422: the overflow comes from the input', async () => {
  const answer = await call('POST', '/sync/sum', [1e308, 1e308]);
  expect(answer.status).toBe(422);
  expect(answer.body.error).toBe('validation_failed');
});

test('a message that reaches a dead-letter queue is counted in metrics and shown on the dashboard', async () => {
  const amqp = new AmqpClient(AMQP_URL, queueNames(`${e2e.env.stack.env.QUEUE_PREFIX}`), silentLogger(), 2_000, 'test-poison');
  await amqp.start();
  await amqp.waitForConnect();
  try {
    const poison = newTimerId();
    await amqp.publish(amqp.names.incomingTimers, Buffer.from('{"id": "not a timer"'), { messageId: poison });
    // The consumer dead-letters it; the dashboard reads the .dead queue's depth from the broker.
    let deadLetters = 0;
    while (deadLetters === 0) {
      const summary = await call('GET', '/dashboard/api/summary');
      deadLetters = (summary.body.dead_letters as { messages: number }).messages;
      if (deadLetters === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(deadLetters).toBe(1);
    const consumerMetrics = [...e2e.env.stack.metricsUrls].find(([name]) => name.startsWith('consumer'))![1];
    const samples = parsePrometheusText(await (await fetch(consumerMetrics)).text());
    const counted = samples.filter((s) => s.name === 'timer_dead_letters_total' && s.labels.queue === amqp.names.incomingTimers);
    expect(counted.map((s) => s.value)).toEqual([1]);
  } finally {
    await amqp.close();
  }
});
