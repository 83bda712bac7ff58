// End to end through nginx: timers at an absolute fire_at, cancelled, rescheduled, shaped (method,
// headers, body), created idempotently and in batches. "Never fires" is shown by a later control
// timer arriving while the other did not.
import { jest } from '@jest/globals';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { batchAnswer, errorAnswer, timerAnswer, timerCreatedAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver();

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${e2e.env.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function create(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ id: string; fire_at: string; state: string }> {
  const res = await send('POST', '/timer', body, headers);
  expect(res.status).toBe(201);
  return timerCreatedAnswer.parse(await res.json());
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const arrivalsAt = (path: string) => e2e.receiver.arrivals.filter((a) => a.path === path);
/** Resolves once a request for `path` has arrived. */
async function arrival(path: string) {
  while (arrivalsAt(path).length === 0) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 30_000);
  return arrivalsAt(path)[0]!;
}

test('fire_at: the timer fires at that instant, not before; a past instant fires at once', async () => {
  const fireAt = inSeconds(1.5);
  const created = await create({ fire_at: fireAt, url: `${e2e.hook}/at` });
  expect(created).toMatchObject({ fire_at: fireAt, state: 'scheduled' });
  expect((await arrival('/at')).at).toBeGreaterThanOrEqual(Date.parse(fireAt));
  const past = await create({ fire_at: '2001-01-01T00:00:00Z', url: `${e2e.hook}/past` });
  expect(past.fire_at).toBe('2001-01-01T00:00:00.000Z');
  await arrival('/past');
});

test('DELETE cancels a pending timer, even one already held by a poller: it never fires', async () => {
  const soon = await create({ fire_at: inSeconds(1.2), url: `${e2e.hook}/cancelled-soon` });
  const later = await create({ seconds: 30, url: `${e2e.hook}/cancelled-later` });
  const control = await create({ fire_at: inSeconds(2.5), url: `${e2e.hook}/cancel-control` });
  for (const id of [soon.id, later.id]) {
    const res = await send('DELETE', `/timer/${id}`);
    expect(res.status).toBe(200);
    expect(timerAnswer.parse(await res.json())).toMatchObject({ id, state: 'cancelled' });
  }
  await arrival('/cancel-control');
  expect(arrivalsAt('/cancelled-soon')).toEqual([]);
  expect(e2e.receiver.arrivals.some((a) => a.id === control.id)).toBe(true);

  const again = await send('DELETE', `/timer/${soon.id}`);
  expect(again.status).toBe(409);
  expect(await again.json()).toMatchObject({ error: 'not_pending', state: 'cancelled' });
  expect((await send('DELETE', `/timer/${control.id}`)).status).toBe(409);
  expect((await send('DELETE', '/timer/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  expect((await send('DELETE', '/timer/not-an-id')).status).toBe(400);
});

test('PATCH moves a timer (and its URL): it fires at the new time to the new URL, never at the old one', async () => {
  const oldAt = inSeconds(1.2);
  const moved = await create({ fire_at: oldAt, url: `${e2e.hook}/moved-old` });
  const newAt = inSeconds(3);
  const res = await send('PATCH', `/timer/${moved.id}`, { fire_at: newAt, url: `${e2e.hook}/moved-new` });
  expect(res.status).toBe(200);
  expect(timerAnswer.parse(await res.json())).toMatchObject({ state: 'scheduled', fire_at: newAt, url: `${e2e.hook}/moved-new` });
  const landed = await arrival('/moved-new');
  expect(landed.at).toBeGreaterThanOrEqual(Date.parse(newAt));
  expect(arrivalsAt('/moved-old')).toEqual([]);

  const earlier = await create({ minutes: 10, url: `${e2e.hook}/moved-earlier` });
  expect((await send('PATCH', `/timer/${earlier.id}`, { seconds: 1 })).status).toBe(200);
  await arrival('/moved-earlier');

  const fired = await send('PATCH', `/timer/${moved.id}`, { seconds: 5 });
  expect(fired.status).toBe(409);
  for (const bad of [{}, { seconds: 1, fire_at: newAt }, { url: 'ftp://x' }, { colour: 'red' }]) {
    expect((await send('PATCH', `/timer/${earlier.id}`, bad)).status).toBe(422);
  }
});

test('a shaped webhook: its method, headers and JSON body, with the service headers still set', async () => {
  const created = await create({
    url: `${e2e.hook}/shaped`,
    method: 'PUT',
    headers: { Authorization: 'Bearer t0k3n', 'X-Tenant': 'acme' },
    body: { order: 42, lines: [1, 2] },
  });
  const request = await arrival('/shaped');
  expect(request.method).toBe('PUT');
  expect(JSON.parse(request.body)).toEqual({ order: 42, lines: [1, 2] });
  expect(request.headers).toMatchObject({ authorization: 'Bearer t0k3n', 'x-tenant': 'acme', 'idempotency-key': created.id, 'content-type': 'application/json' });
  const view = timerAnswer.parse(await (await send('GET', `/timer/${created.id}`)).json());
  expect(view).toMatchObject({ method: 'PUT', body: { order: 42, lines: [1, 2] } });

  const reserved = await send('POST', '/timer', { url: `${e2e.hook}/x`, headers: { Host: 'evil.example' } });
  expect(reserved.status).toBe(422);
  expect(errorAnswer.parse(await reserved.json()).details).toEqual([expect.objectContaining({ field: 'headers.Host' })]);
});

test('Idempotency-Key: the same request gives the same timer (201, then 200), another body with the key 422, one delivery', async () => {
  const key = `order-${Date.now()}`;
  const body = { seconds: 1, url: `${e2e.hook}/idem` };
  const first = await send('POST', '/timer', body, { 'idempotency-key': key });
  expect(first.status).toBe(201);
  const { id } = timerCreatedAnswer.parse(await first.json());
  // Twice more, so that both webserver replicas answer it at least once.
  for (let i = 0; i < 2; i++) {
    const repeat = await send('POST', '/timer', { url: body.url, seconds: 1 }, { 'idempotency-key': key });
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { id: string }).id).toBe(id);
  }
  const other = await send('POST', '/timer', { seconds: 2, url: body.url }, { 'idempotency-key': key });
  expect(other.status).toBe(422);
  expect(await other.json()).toMatchObject({ error: 'idempotency_key_reused' });
  const control = await create({ seconds: 3, url: `${e2e.hook}/idem-control` });
  await arrival('/idem-control');
  expect(arrivalsAt('/idem').map((a) => a.id)).toEqual([id]);
  expect(control.id).not.toBe(id);
  expect((await send('POST', '/timer', body, { 'idempotency-key': 'bad key with spaces' })).status).toBe(400);
});

test('POST /timers: 300 timers in one request, each answered on its own; every accepted one fires once', async () => {
  const items = Array.from({ length: 300 }, (_, i) => (i % 10 === 3 ? { seconds: -1, url: `${e2e.hook}/batch/${i}` } : { seconds: 1, url: `${e2e.hook}/batch/${i}` }));
  const res = await send('POST', '/timers', { timers: items });
  expect(res.status).toBe(200);
  const answer = batchAnswer.parse(await res.json());
  expect(answer).toMatchObject({ accepted: 270, refused: 30 });
  answer.results.forEach((result, i) => expect(result.status).toBe(i % 10 === 3 ? 422 : 201));
  const ids = answer.results.flatMap((r) => ('id' in r ? [r.id] : []));
  const counts = () => e2e.receiver.countsById();
  while (ids.some((id) => !counts().has(id))) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 30_000);
  expect(ids.every((id) => counts().get(id) === 1)).toBe(true);

  expect((await send('POST', '/timers', { timers: [] })).status).toBe(422);
  expect((await send('POST', '/timers', { timers: Array.from({ length: 1_001 }, () => ({ url: `${e2e.hook}/x` })) })).status).toBe(422);
});

test('Idempotency-Key holds across a restart of every webserver: the repeat is 200 with the same timer', async () => {
  const key = `restart-${Date.now()}`;
  const body = { minutes: 30, url: `${e2e.hook}/idem-restart` };
  const first = await send('POST', '/timer', body, { 'idempotency-key': key });
  expect(first.status).toBe(201);
  const { id } = timerCreatedAnswer.parse(await first.json());
  await e2e.env.stack.stopKind('webserver');
  await e2e.env.stack.startKind('webserver');
  const repeat = await send('POST', '/timer', body, { 'idempotency-key': key });
  expect(repeat.status).toBe(200);
  expect(((await repeat.json()) as { id: string }).id).toBe(id);
});
