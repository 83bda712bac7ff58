// End to end through nginx: 2 replicas of every process, 2 shards, a webhook receiver on loopback.
import { jest } from '@jest/globals';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { errorAnswer, timerAnswer, timerCreatedAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver();

const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${e2e.env.url}/timer`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function createTimer(body: Record<string, unknown>): Promise<{ id: string; time_left: number; fire_at: string }> {
  const res = await post(body);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; time_left: number; fire_at: string };
}

test('POST /timer answers 201 with a UUID id and the whole seconds left', async () => {
  const created = await createTimer({ hours: 1, minutes: 2, seconds: 3, url: `${e2e.hook}/later` });
  expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(created.time_left).toBe(3723);
});

test('a GET right after each POST finds the timer, through any replica', async () => {
  for (let i = 0; i < 40; i++) {
    const created = await createTimer({ minutes: 10, url: `${e2e.hook}/ryw/${i}` });
    const res = await fetch(`${e2e.env.url}/timer/${created.id}`);
    expect(res.status).toBe(200);
    const timer = (await res.json()) as { id: string; time_left: number; url: string; state: string };
    expect(timer).toMatchObject({ id: created.id, url: `${e2e.hook}/ryw/${i}`, state: 'scheduled' });
    expect(timer.time_left).toBeGreaterThan(590);
  }
});

test('a 0-delay timer fires, and GET shows it delivered with time_left 0', async () => {
  const before = e2e.receiver.arrivals.length;
  const created = await createTimer({ url: `${e2e.hook}/now` });
  expect(created.time_left).toBe(0);
  await e2e.receiver.waitFor(before + 1, 15_000);
  const arrival = e2e.receiver.arrivals.find((a) => a.id === created.id);
  expect(arrival?.path).toBe('/now');
  // The outcome is recorded just after the webhook answers.
  let timer: { state: string; time_left: number; last_status: number };
  for (;;) {
    timer = (await (await fetch(`${e2e.env.url}/timer/${created.id}`)).json()) as typeof timer;
    if (timer.state !== 'firing') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(timer).toMatchObject({ state: 'delivered', time_left: 0, last_status: 200 });
});

test('500 timers due within a few seconds each fire once per attempt, never early', async () => {
  const before = e2e.receiver.arrivals.length;
  const created = await Promise.all(Array.from({ length: 500 }, (_, i) => createTimer({ seconds: 1 + (i % 4), url: `${e2e.hook}/batch` })));
  const fireAt = new Map(created.map((c) => [c.id, Date.parse(c.fire_at)]));
  await e2e.receiver.waitFor(before + 500, 60_000);
  // Each attempt is claimed once, so a timer arrives once per attempt it took: once, unless a send was
  // recorded as failed (e.g. timed out on a starved machine) and retried; never twice within one attempt.
  const db = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await db.connect();
  const attempts = new Map<string, number>();
  try {
    const rows = await db.query<{ id: string; attempts: number }>('SELECT id, attempts FROM timers WHERE id = ANY($1::uuid[])', [created.map((c) => c.id)]);
    for (const row of rows.rows) attempts.set(row.id, row.attempts);
  } finally {
    await db.end();
  }
  const counts = e2e.receiver.countsById();
  for (const { id } of created) {
    const arrived = counts.get(id) ?? 0;
    expect({ id, arrived: arrived >= 1 && arrived <= (attempts.get(id) ?? 0) }).toEqual({ id, arrived: true });
  }
  for (const arrival of e2e.receiver.arrivals.slice(before)) {
    expect(arrival.at).toBeGreaterThanOrEqual(fireAt.get(arrival.id)!);
  }
});

describe('bad input gets a clear 4xx JSON answer and writes nothing', () => {
  test.each([
    ['a negative number', { seconds: -1, url: 'http://example.com/' }, ['seconds']],
    ['a fraction', { minutes: 1.5, url: 'http://example.com/' }, ['minutes']],
    ['a number as a string', { hours: '1', url: 'http://example.com/' }, ['hours']],
    ['a delay over 365 days', { hours: 8760, seconds: 1, url: 'http://example.com/' }, ['seconds']],
    ['a missing url', { seconds: 1 }, ['url']],
    ['a relative url', { url: '/hook' }, ['url']],
    ['a non-http url', { url: 'ftp://example.com/x' }, ['url']],
    ['a url over 2048 characters', { url: `http://example.com/${'a'.repeat(2040)}` }, ['url']],
    ['an unknown field', { url: 'http://example.com/', repeat: true }, ['repeat']],
    ['several bad fields', { hours: -1, seconds: 'x', url: 'nope' }, ['hours', 'seconds', 'url']],
    ['a JSON array', [1, 2], ['(body)']],
  ])('%s: 422 naming the field', async (_name, body, fields) => {
    const res = await post(body);
    expect(res.status).toBe(422);
    const answer = (await res.json()) as { error: string; details: Array<{ field: string; message: string }> };
    expect(answer.error).toBe('validation_failed');
    expect(answer.details.map((d) => d.field).sort()).toEqual([...fields].sort());
    for (const detail of answer.details) expect(detail.message.length).toBeGreaterThan(3);
  });

  test('malformed JSON: 400', async () => {
    const res = await post('{"seconds": 1,');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'malformed_json' });
  });

  test('a body over the size limit: 413 JSON from nginx', async () => {
    const res = await post(JSON.stringify({ url: `http://example.com/${'a'.repeat(100_000)}` }));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ error: 'body_too_large' });
  });

  test('an unsupported content type: 415', async () => {
    const res = await post('seconds=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  test('a malformed id: 400; an unknown id: 404', async () => {
    const malformed = await fetch(`${e2e.env.url}/timer/not-a-uuid`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'invalid_id' });
    const unknown = await fetch(`${e2e.env.url}/timer/5b0c8c0e-1c5a-4d2e-9a39-0f2b8d9f6a11`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
  });

  test('none of the refused requests left a timer behind', async () => {
    // A good timer sent after them: once it is stored, anything published before it would be too.
    const sentinel = await createTimer({ minutes: 5, url: 'http://example.com/sentinel' });
    expect((await fetch(`${e2e.env.url}/timer/${sentinel.id}`)).status).toBe(200);
    const main = new pg.Client({ connectionString: e2e.env.mainDbUrl });
    await main.connect();
    try {
      const rows = await main.query(`SELECT url FROM timers WHERE url LIKE 'http://example.com/%'`);
      expect(rows.rows).toEqual([{ url: 'http://example.com/sentinel' }]);
    } finally {
      await main.end();
    }
  });
});

test('GET /health and GET /ready answer through nginx', async () => {
  expect(await (await fetch(`${e2e.env.url}/health`)).json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${e2e.env.url}/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', broker: 'up', database: 'up' });
});

test('answers match the OpenAPI description served at /openapi.json', async () => {
  const doc = (await (await fetch(`${e2e.env.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/timer', '/timer/{id}', '/health', '/ready']));

  const created = timerCreatedAnswer.parse(await createTimer({ seconds: 30, url: `${e2e.hook}/doc` }));
  timerAnswer.parse(await (await fetch(`${e2e.env.url}/timer/${created.id}`)).json());
  errorAnswer.parse(await (await post({ url: 1 })).json());
  errorAnswer.parse(await (await fetch(`${e2e.env.url}/timer/nope`)).json());
});
