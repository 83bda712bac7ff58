// End to end through nginx: thousands of generated malformed requests (wrong types and ranges, odd
// encodings, huge and deeply nested bodies, odd headers, bad ids and queries) get 4xx answers, never a
// 5xx; no process goes down; no timer is written. And every timer body answered 201 is stored and
// readable. Generated with fast-check, so each run tries new ones: the run prints its seed, and
// FUZZ_SEED=<seed> replays exactly that run.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { request } from 'undici';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { checkAnswer } from '../helpers/checked-answers.js';
import { createTimerRequest } from '../../webserver/timers/timer-request.js';

jest.setTimeout(180_000);

const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
// eslint-disable-next-line no-console -- the seed is printed so that a failed run can be replayed
console.log(`api fuzz seed ${seed}: replay this run with FUZZ_SEED=${seed}`);

const e2e = useStackWithReceiver({ replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1 } });

interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const invalidTimer = (value: unknown) => !createTimerRequest.safeParse(value).success;

const oddNumber = fc.oneof(fc.double(), fc.integer({ min: -1_000_000_000, max: 1_000_000_000_000 }), fc.constantFrom(-1, 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER + 2));
const oddValue = fc.oneof(oddNumber, fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const oddUrl = fc.oneof(
  fc.string(),
  fc.webUrl().map((url) => url.replace(/^https?/, 'ftp')),
  fc.constantFrom(
    'javascript:alert(1)',
    'http://',
    'http:///x',
    '//example.com/x',
    'http://exa mple.com/',
    `http://example.com/${'a'.repeat(3000)}`,
    'file:///etc/passwd',
    'http://[::1',
    'http://%zz/',
  ),
);

// A flow_control that is not one: a wrong type, or a key and limits with odd values and fields.
const oddFlowControl = fc.oneof(
  oddValue,
  fc.record({ key: fc.oneof(fc.string({ maxLength: 200 }), oddValue), rate: oddValue, period_s: oddValue, parallelism: oddValue, burst: oddValue }, { requiredKeys: [] }),
);

// A body that names the timer fields but gets at least one of them wrong.
const wrongTimer = fc
  .record(
    {
      hours: oddValue,
      minutes: oddValue,
      seconds: oddValue,
      url: fc.oneof(oddUrl, oddValue),
      max_attempts: oddValue,
      timeout_s: oddValue,
      retry_backoff_s: oddValue,
      flow_control: oddFlowControl,
      extra: oddValue,
    },
    { requiredKeys: [] },
  )
  .filter(invalidTimer);

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });

const postTimer: fc.Arbitrary<FuzzRequest> = fc.oneof(
  wrongTimer.map((t) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t) })),
  fc
    .jsonValue()
    .filter(invalidTimer)
    .map((v) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) })),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: bytes })),
  fc.string({ maxLength: 500 }).map((text) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: text })),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: '['.repeat(depth) + ']'.repeat(depth) })),
  fc
    .integer({ min: 1, max: 5_000 })
    .map((depth) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) })),
  fc
    .integer({ min: 65_000, max: 400_000 })
    .map((size) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/', pad: 'x'.repeat(size) }) })),
  fc
    .tuple(
      wrongTimer,
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'multipart/form-data; boundary=x',
        'application/xml',
        '',
      ),
    )
    .map(([t, type]): FuzzRequest => ({ method: 'POST', path: '/timer', headers: type ? { 'content-type': type } : {}, body: JSON.stringify(t) })),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip'))
    .map(([bytes, encoding]) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: bytes })),
);

const segment = fc.oneof(
  fc.string({ maxLength: 60 }).map(encodeURIComponent),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.constantFrom('%00', '..%2F..%2Fetc', '%E0%A4%A', 'a'.repeat(5_000), '00000000-0000-0000-0000-000000000000x', "1' OR '1'='1"),
);

const reads: fc.Arbitrary<FuzzRequest> = fc.oneof(
  segment.map((s) => ({ method: 'GET' as const, path: `/timer/${s}`, headers: {} })),
  fc.uuid().map((id) => ({ method: 'GET' as const, path: `/timer/${id}`, headers: {} })),
  fc.dictionary(fc.constantFrom('state', 'limit', 'cursor', 'due_after', 'due_before', 'created_after', 'created_before', 'x'), fc.string({ maxLength: 40 })).map((q) => ({
    method: 'GET' as const,
    path: `/timers?${new URLSearchParams(q).toString()}`,
    headers: {},
  })),
);

const replays: fc.Arbitrary<FuzzRequest> = fc.oneof(
  segment.map((s) => ({ method: 'POST' as const, path: `/timer/${s}/replay`, headers: {} })),
  fc.jsonValue().map((v) => ({ method: 'POST' as const, path: '/timers/replay', ...splitJson(v) })),
  fc.constantFrom<FuzzRequest>({ method: 'DELETE', path: '/timer', headers: {} }, { method: 'PUT', path: '/timers', headers: {} }, { method: 'PATCH', path: '/timer/x', headers: {} }),
);

function splitJson(value: unknown): { headers: Record<string, string>; body: string } {
  const { 'content-type': type, body } = json(value);
  return { headers: { 'content-type': type }, body };
}

const oddHeaders: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.integer({ min: 9_000, max: 40_000 }).map((n) => ({ method: 'GET' as const, path: '/timers', headers: { 'x-filler': 'y'.repeat(n) } })),
  fc.string({ minLength: 1, maxLength: 80 }).map((id) => ({ method: 'GET' as const, path: '/timers', headers: { 'x-request-id': id.replace(/[^\x20-\x7e]/g, '?') } })),
  wrongTimer.map((t) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json', accept: 'text/html', 'accept-encoding': 'gzip' }, body: JSON.stringify(t) })),
);

// Text PostgreSQL cannot store and instants outside its range, wherever a route takes text or an
// instant: each of these was once a 201 for a lost timer or a 500.
const unstorable = fc.constantFrom('a\u0000b', '\u0000', 'x\ud800', '\udfff', 'k\ud83d');
const outOfRange = fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59-01:00', 'not-a-date');
const forgedCursor = fc.tuple(outOfRange, fc.uuid()).map(([created_at, id]) => Buffer.from(JSON.stringify({ created_at, id })).toString('base64url'));
const edges: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc
    .tuple(fc.constantFrom('due_after', 'due_before', 'created_after', 'created_before'), outOfRange)
    .map(([name, value]) => ({ method: 'GET' as const, path: `/timers?${name}=${encodeURIComponent(value)}`, headers: {} })),
  forgedCursor.map((cursor) => ({ method: 'GET' as const, path: `/timers?cursor=${cursor}`, headers: {} })),
  fc.tuple(fc.constantFrom('created_after', 'created_before'), outOfRange).map(([name, value]) => ({ method: 'GET' as const, path: `/tasks?${name}=${encodeURIComponent(value)}`, headers: {} })),
  fc
    .tuple(fc.constantFrom('/tasks?type=', '/timers?state=', '/api/data?id=', '/tasks?state=', '/timers?x='), fc.constantFrom('a%00b', '%00', '%ED%A0%80', '%C0%80'))
    .map(([path, text]) => ({ method: 'GET' as const, path: `${path}${text}`, headers: {} })),
  fc.tuple(fc.constantFrom('failed_after', 'failed_before'), outOfRange).map(([name, value]) => ({ method: 'POST' as const, path: '/timers/replay', ...splitJson({ [name]: value }) })),
  unstorable.map((text) => ({ method: 'POST' as const, path: '/timers/replay', ...splitJson({ url_prefix: `http://${text}` }) })),
  unstorable.map((text) => ({ method: 'POST' as const, path: '/token', ...splitJson({ username: `u${text}@example.com`, password: 'a-password' }) })),
  fc
    .constantFrom('a%00b', '%00', '%ED%A0%80')
    .map((text) => ({ method: 'POST' as const, path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=${text}&password=x` })),
  fc.tuple(unstorable, fc.uuid()).map(([text, id]) => ({ method: 'PATCH' as const, path: `/timer/${id}`, ...splitJson({ url: `http://127.0.0.1:9/${text}` }) })),
  unstorable.map((text) => ({ method: 'POST' as const, path: '/tasks', ...splitJson({ type: 'noop', args: { note: text } }) })),
  unstorable.map((text) => ({ method: 'POST' as const, path: '/api/data', ...splitJson({ log: `1.2.3.4 GET /${text} 200` }) })),
  fc.constantFrom([1e308, 1e308], [-1e308, -1e308], { numbers: [Number.MAX_VALUE, Number.MAX_VALUE] }).map((numbers) => ({ method: 'POST' as const, path: '/sync/sum', ...splitJson(numbers) })),
  fc
    .oneof(
      outOfRange.map((fireAt) => ({ fire_at: fireAt, url: 'http://127.0.0.1:9/' })),
      unstorable.map((text) => ({ seconds: 60, url: `http://127.0.0.1:9/${text}` })),
      unstorable.map((text) => ({ seconds: 60, url: 'http://127.0.0.1:9/', body: { [`k${text}`]: text } })),
      fc.constant({ seconds: 60, url: 'http://user:pass@127.0.0.1:9/' }),
    )
    .map((timer) => ({ method: 'POST' as const, path: '/timer', ...splitJson(timer) })),
  fc.tuple(outOfRange, unstorable).map(([fireAt, text]) => ({
    method: 'POST' as const,
    path: '/timers',
    ...splitJson({
      timers: [
        { fire_at: fireAt, url: 'http://127.0.0.1:9/' },
        { seconds: 60, url: `http://127.0.0.1:9/${text}` },
      ],
    }),
  })),
);

// The flow-control routes: odd keys in the path, odd limits and pauses, odd and forged cursors; the
// deliveries switch without a token.
const forgedKeyCursor = fc
  .tuple(fc.oneof(fc.uuid(), fc.constant(null), fc.string({ maxLength: 10 })), fc.oneof(unstorable, fc.string({ maxLength: 200 })))
  .map(([owner_id, key]) => Buffer.from(JSON.stringify({ owner_id, key })).toString('base64url'));
const flowControl: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.tuple(segment, fc.jsonValue()).map(([s, v]) => ({ method: 'PUT' as const, path: `/flow-control/${s}`, ...splitJson(v) })),
  fc
    .tuple(segment, fc.record({ rate: oddValue, period_s: oddValue, parallelism: oddValue, extra: oddValue }, { requiredKeys: [] }))
    .map(([s, limits]) => ({ method: 'PUT' as const, path: `/flow-control/${s}`, ...splitJson(limits) })),
  segment.map((s) => ({ method: 'GET' as const, path: `/flow-control/${s}`, headers: {} })),
  fc
    .tuple(segment, fc.oneof(fc.record({ until: fc.oneof(outOfRange, oddValue) }), fc.jsonValue()))
    .map(([s, body]) => ({ method: 'POST' as const, path: `/flow-control/${s}/pause`, ...splitJson(body) })),
  segment.map((s) => ({ method: 'POST' as const, path: `/flow-control/${s}/resume`, headers: {} })),
  fc
    .dictionary(fc.constantFrom('limit', 'cursor', 'x'), fc.string({ maxLength: 40 }))
    .map((q) => ({ method: 'GET' as const, path: `/flow-control?${new URLSearchParams(q).toString()}`, headers: {} })),
  forgedKeyCursor.map((cursor) => ({ method: 'GET' as const, path: `/flow-control?cursor=${cursor}`, headers: {} })),
  fc.jsonValue().map((v) => ({ method: 'POST' as const, path: '/deliveries/pause', ...splitJson(v) })),
);

const anyRequest = fc.oneof(
  { arbitrary: postTimer, weight: 5 },
  { arbitrary: reads, weight: 2 },
  { arbitrary: replays, weight: 2 },
  { arbitrary: oddHeaders, weight: 1 },
  { arbitrary: edges, weight: 3 },
  { arbitrary: flowControl, weight: 2 },
);

async function send(req: FuzzRequest): Promise<number> {
  const res = await request(`${e2e.env.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  // undici's request is not fetch: the answer goes to the OpenAPI check by hand.
  const contentType = res.headers['content-type'];
  checkAnswer({ method: req.method, url: req.path, status: res.statusCode, contentType: typeof contentType === 'string' ? contentType : null, body: await res.body.text() });
  return res.statusCode;
}

test('3,000 generated malformed requests: zero 5xx, zero processes down, zero timers written', async () => {
  const requests = fc.sample(anyRequest, { numRuns: 3_000, seed });
  const statuses = new Map<number, number>();
  const fivexx: Array<{ status: number; req: FuzzRequest }> = [];
  for (let i = 0; i < requests.length; i += 32) {
    await Promise.all(
      requests.slice(i, i + 32).map(async (req) => {
        const status = await send(req);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) fivexx.push({ status, req: { ...req, body: typeof req.body === 'string' ? req.body.slice(0, 200) : req.body?.slice(0, 50) } });
      }),
    );
  }
  expect(fivexx).toEqual([]);
  expect(statuses.get(201)).toBeUndefined();

  for (const [kind, processes] of e2e.env.stack.processes) {
    for (const process of processes) expect({ kind, running: process.running }).toEqual({ kind, running: true });
  }
  const client = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await client.connect();
  try {
    expect((await client.query<{ n: number }>('SELECT count(*)::int AS n FROM timers')).rows[0]!.n).toBe(0);
  } finally {
    await client.end();
  }
  // And the service still works.
  const ok = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${e2e.hook}/after-fuzz` }) });
  expect(ok.status).toBe(201);
});

// Bodies that a client could send, edges included: every one answered 201 must be stored as accepted.
const candidateTimer = fc
  .tuple(
    fc.oneof(
      fc.record({ seconds: fc.integer({ min: 0, max: 3_600 }) }),
      fc.integer({ min: -400, max: 400 }).map((days) => ({ fire_at: new Date(Date.now() + days * 86_400_000).toISOString() })),
      fc.constantFrom({ fire_at: '1970-01-01T00:00:00Z' }, { fire_at: '1969-12-31T23:59:59Z' }, { fire_at: '2027-01-01T00:00:00+21:30' }, {}),
    ),
    fc.oneof(fc.string({ maxLength: 20 }), unstorable, fc.constantFrom('é/ü', '\ud83d\ude00', '%00')),
    fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    fc.option(fc.record({ key: fc.stringMatching(/^[A-Za-z0-9._:@-]{1,128}$/), parallelism: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: ['key'] }), { nil: undefined }),
  )
  .map(([when, path, body, flow_control]) => ({
    ...when,
    url: `${e2e.hook}/stored/${path}`,
    ...(body === undefined ? {} : { body }),
    ...(flow_control === undefined ? {} : { flow_control }),
  }));

test('every timer body answered 201 is stored and readable as it was accepted', async () => {
  const bodies = fc.sample(candidateTimer, { numRuns: 300, seed });
  let created = 0;
  for (const body of bodies) {
    const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBeLessThan(500);
    if (res.status !== 201) continue;
    created += 1;
    const accepted = (await res.json()) as { id: string; fire_at: string };
    const read = await fetch(`${e2e.env.url}/timer/${accepted.id}`);
    expect({ body, status: read.status }).toEqual({ body, status: 200 });
    const stored = (await read.json()) as { url: string; fire_at: string; flow_control: { key: string } | null };
    expect({ url: stored.url, fire_at: stored.fire_at, flow_control: stored.flow_control }).toEqual({
      url: body.url,
      fire_at: accepted.fire_at,
      flow_control: body.flow_control ? { key: body.flow_control.key } : null,
    });
  }
  expect(created).toBeGreaterThan(0);
});
