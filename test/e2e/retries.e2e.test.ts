// End to end through nginx: failed deliveries are retried with backoff, recorded, replayed; timers
// are listed page by page; callbacks to refused addresses are turned away at creation.
import { jest } from '@jest/globals';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { bulkReplayAnswer, errorAnswer, timerAnswer, timerListAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver();

type Timer = ReturnType<typeof timerAnswer.parse>;

// The first path segment decides the receiver's answer: /flaky/<key> fails as often as failuresLeft says,
// /gone/ answers 410, a group in `down` answers 503, anything else 200.
const down = new Set<string>(['replay', 'bulk']);
const failuresLeft = new Map<string, number>();

beforeAll(() => {
  e2e.receiver.answer = (arrival) => {
    const [, group, key] = arrival.path.split('/');
    if (group === 'flaky') {
      const left = failuresLeft.get(key!) ?? 0;
      failuresLeft.set(key!, left - 1);
      return left > 0 ? { status: 500 } : { status: 200 };
    }
    if (group === 'gone') return { status: 410 };
    return down.has(group!) ? { status: 503 } : { status: 200 };
  };
});

async function createTimer(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function getTimer(id: string): Promise<Timer> {
  const res = await fetch(`${e2e.env.url}/timer/${id}`);
  expect(res.status).toBe(200);
  return timerAnswer.parse(await res.json());
}

/** Reads the timer until it reaches `state` (the outcome is recorded just after the webhook arrives). */
async function untilState(id: string, state: Timer['state']): Promise<Timer> {
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const timer = await getTimer(id);
    if (timer.state === state) return timer;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

const arrivalsOf = (id: string) => e2e.receiver.arrivals.filter((a) => a.id === id);

test('a callback answering 500 twice is retried and delivered on the third attempt, each attempt recorded', async () => {
  failuresLeft.set('a', 2);
  const id = await createTimer({ url: `${e2e.hook}/flaky/a`, retry_backoff_s: 0.2, max_attempts: 5 });
  const timer = await untilState(id, 'delivered');
  expect(timer.attempts).toBe(3);
  expect(timer.attempt_history.map((a) => a.status)).toEqual([500, 500, 200]);
  expect(timer.attempt_history.map((a) => a.attempt)).toEqual([1, 2, 3]);
  const arrivals = arrivalsOf(id);
  expect(arrivals).toHaveLength(3);
  // Every attempt carries the same idempotency key, and retries come after their backoff, in order.
  expect(new Set(arrivals.map((a) => a.headers['idempotency-key']))).toEqual(new Set([id]));
  expect(arrivals[1]!.at).toBeGreaterThan(arrivals[0]!.at);
  expect(arrivals[2]!.at).toBeGreaterThan(arrivals[1]!.at);
});

test('a final 4xx is not retried', async () => {
  const id = await createTimer({ url: `${e2e.hook}/gone/x`, retry_backoff_s: 0.2 });
  const timer = await untilState(id, 'failed');
  expect(timer).toMatchObject({ attempts: 1, last_status: 410 });
  expect(arrivalsOf(id)).toHaveLength(1);
});

test('after max_attempts the timer is failed; a replay is a new series with the same id, delivered once the receiver is back', async () => {
  const id = await createTimer({ url: `${e2e.hook}/replay/1`, retry_backoff_s: 0.2, max_attempts: 2 });
  const failed = await untilState(id, 'failed');
  expect(failed.attempt_history.map((a) => [a.series, a.attempt, a.status])).toEqual([
    [1, 1, 503],
    [1, 2, 503],
  ]);

  down.delete('replay');
  const res = await fetch(`${e2e.env.url}/timer/${id}/replay`, { method: 'POST' });
  expect(res.status).toBe(200);
  expect(timerAnswer.parse(await res.json())).toMatchObject({ id, state: 'retrying', replays: 1, attempts: 0 });

  const delivered = await untilState(id, 'delivered');
  expect(delivered.attempt_history.map((a) => [a.series, a.attempt, a.status])).toEqual([
    [1, 1, 503],
    [1, 2, 503],
    [2, 1, 200],
  ]);
  expect(arrivalsOf(id).map((a) => a.headers['idempotency-key'])).toEqual([id, id, id]);
});

test('replay answers 409 for a timer that is not failed, 404 for an unknown one, 400 for a bad id', async () => {
  const id = await createTimer({ minutes: 30, url: `${e2e.hook}/later` });
  await getTimer(id);
  const notFailed = await fetch(`${e2e.env.url}/timer/${id}/replay`, { method: 'POST' });
  expect(notFailed.status).toBe(409);
  expect(errorAnswer.parse(await notFailed.json())).toMatchObject({ error: 'not_failed' });
  const unknown = await fetch(`${e2e.env.url}/timer/00000000-0000-4000-8000-000000000000/replay`, { method: 'POST' });
  expect(unknown.status).toBe(404);
  const bad = await fetch(`${e2e.env.url}/timer/nope/replay`, { method: 'POST' });
  expect(bad.status).toBe(400);
});

test('bulk replay takes the failed timers matching a URL prefix, and only those', async () => {
  const ids = await Promise.all([1, 2, 3].map((i) => createTimer({ url: `${e2e.hook}/bulk/${i}`, max_attempts: 1 })));
  const other = await createTimer({ url: `${e2e.hook}/gone/bulk`, max_attempts: 1 });
  await Promise.all([...ids, other].map((id) => untilState(id, 'failed')));

  down.delete('bulk');
  const res = await fetch(`${e2e.env.url}/timers/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url_prefix: `${e2e.hook}/bulk/` }),
  });
  expect(res.status).toBe(200);
  const answer = bulkReplayAnswer.parse(await res.json());
  expect(new Set(answer.ids)).toEqual(new Set(ids));
  await Promise.all(ids.map((id) => untilState(id, 'delivered')));
  expect((await getTimer(other)).state).toBe('failed');
});

test('GET /timers pages newest first with a cursor: every timer once, none repeated, filters applied', async () => {
  const since = new Date().toISOString();
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push(await createTimer({ minutes: 20, url: `${e2e.hook}/list/${i}` }));
  await getTimer(ids[ids.length - 1]!);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `state=scheduled&created_after=${encodeURIComponent(since)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(`${e2e.env.url}/timers?${query}`);
    expect(res.status).toBe(200);
    const page = timerListAnswer.parse(await res.json());
    expect(page.timers.length).toBeLessThanOrEqual(3);
    seen.push(...page.timers.map((t) => t.id));
    // Timers created while paging sort before the cursor and never shift the pages still to come.
    if (page.next_cursor) await createTimer({ minutes: 20, url: `${e2e.hook}/list/late` });
    cursor = page.next_cursor;
  } while (cursor);
  expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
  expect(new Set(seen).size).toBe(seen.length);
});

test('GET /timers refuses an unknown state, a bad limit and a forged cursor with 422', async () => {
  for (const query of ['state=exploded', 'limit=0', 'limit=100000', 'cursor=not-a-cursor', 'due_before=yesterday', 'colour=blue']) {
    const res = await fetch(`${e2e.env.url}/timers?${query}`);
    expect(res.status).toBe(422);
    expect(errorAnswer.parse(await res.json()).error).toBe('validation_failed');
  }
});

test('a callback to a private, link-local or metadata address is refused at creation with 422', async () => {
  for (const url of ['http://10.0.0.8/hook', 'http://169.254.169.254/latest/meta-data', 'http://[fd00:ec2::254]/', 'http://192.168.1.1:8080/x']) {
    const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    expect(res.status).toBe(422);
    const body = errorAnswer.parse(await res.json());
    expect(body).toMatchObject({ error: 'callback_refused', details: [{ field: 'url' }] });
  }
});

test('per-timer delivery settings are validated', async () => {
  for (const bad of [{ max_attempts: 0 }, { max_attempts: 51 }, { timeout_s: 0 }, { retry_backoff_s: 10, retry_max_backoff_s: 5 }, { max_attempts: 'three' }]) {
    const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${e2e.hook}/x`, ...bad }) });
    expect(res.status).toBe(422);
  }
});
