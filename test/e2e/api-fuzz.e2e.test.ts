// End to end through nginx: thousands of generated malformed requests (wrong types and ranges, odd
// encodings, huge and deeply nested bodies, odd headers, bad ids and queries) get 4xx answers, never a
// 5xx; no process goes down; no timer is written. Generated with fast-check, so each run tries new ones.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { request } from 'undici';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { checkAnswer } from '../helpers/checked-answers.js';
import { createTimerRequest } from '../../common/timer-request.js';

jest.setTimeout(180_000);

const e2e = useStackWithReceiver({ replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1 } });

interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const invalidTimer = (value: unknown) => !createTimerRequest.safeParse(value).success;

const oddNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000_000 }),
  fc.constantFrom(-1, 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER + 2),
);
const oddValue = fc.oneof(oddNumber, fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const oddUrl = fc.oneof(
  fc.string(),
  fc.webUrl().map((url) => url.replace(/^https?/, 'ftp')),
  fc.constantFrom('javascript:alert(1)', 'http://', 'http:///x', '//example.com/x', 'http://exa mple.com/', `http://example.com/${'a'.repeat(3000)}`, 'file:///etc/passwd', 'http://[::1', 'http://%zz/'),
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
      extra: oddValue,
    },
    { requiredKeys: [] },
  )
  .filter(invalidTimer);

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });

const postTimer: fc.Arbitrary<FuzzRequest> = fc.oneof(
  wrongTimer.map((t) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t) })),
  fc.jsonValue().filter(invalidTimer).map((v) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) })),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: bytes })),
  fc.string({ maxLength: 500 }).map((text) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: text })),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: '['.repeat(depth) + ']'.repeat(depth) })),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) })),
  fc.integer({ min: 65_000, max: 400_000 }).map((size) => ({ method: 'POST' as const, path: '/timer', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/', pad: 'x'.repeat(size) }) })),
  fc
    .tuple(
      wrongTimer,
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/xml', ''),
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

const anyRequest = fc.oneof({ arbitrary: postTimer, weight: 5 }, { arbitrary: reads, weight: 2 }, { arbitrary: replays, weight: 2 }, { arbitrary: oddHeaders, weight: 1 });

async function send(req: FuzzRequest): Promise<number> {
  const res = await request(`${e2e.env.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  // undici's request is not fetch: the answer goes to the OpenAPI check by hand.
  const contentType = res.headers['content-type'];
  checkAnswer({ method: req.method, url: req.path, status: res.statusCode, contentType: typeof contentType === 'string' ? contentType : null, body: await res.body.text() });
  return res.statusCode;
}

test('3,000 generated malformed requests: zero 5xx, zero processes down, zero timers written', async () => {
  const requests = fc.sample(anyRequest, { numRuns: 3_000 });
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
