// End to end through nginx: Swagger UI at /docs and ReDoc at /redoc, with their assets served locally
// from the npm packages, both on /openapi.json; and real answers of the API are allowed by the served
// description (its status codes and its JSON schemas, checked with ajv as a client would).
import { jest } from '@jest/globals';
import { OpenApiCheck } from '../helpers/openapi-check.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';

jest.setTimeout(120_000);

let env: TestStack;
let description: unknown;

beforeAll(async () => {
  env = await startTestStack({ replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1 } });
  const res = await fetch(`${env.url}/openapi.json`);
  expect(res.status).toBe(200);
  description = (await res.json()) as typeof description;
});
afterAll(async () => {
  await env?.teardown();
});

async function body(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

test('/docs is Swagger UI on /openapi.json, its assets served here', async () => {
  const page = await body(`${env.url}/docs`);
  expect(page.status).toBe(200);
  expect(page.type).toMatch(/^text\/html/);
  expect(page.text).toContain("url: '/openapi.json'");
  const assets = [...page.text.matchAll(/(?:src|href)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  expect(assets).toHaveLength(3);
  for (const asset of assets) {
    const served = await body(`${env.url}${asset}`);
    expect(served.status).toBe(200);
    expect(served.text.length).toBeGreaterThan(1_000);
  }
  expect((await body(`${env.url}/docs/assets/index.html`)).status).toBe(404); // only the named files
});

test('/redoc is ReDoc on /openapi.json, its bundle served here', async () => {
  const page = await body(`${env.url}/redoc`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<redoc spec-url="/openapi.json">');
  const bundle = await body(`${env.url}/redoc/assets/redoc.standalone.js`);
  expect(bundle.status).toBe(200);
  expect(bundle.type).toMatch(/javascript/);
});

/** Fails unless the served description lists this status for the operation and its schema accepts the body. */
function expectAllowed(path: string, method: string, status: number, answer: unknown): void {
  const violations = new OpenApiCheck(description).violations({ method, url: path, status, contentType: 'application/json', body: JSON.stringify(answer) });
  if (violations.length > 0) throw new Error(violations.join('\n'));
}

test('real answers are allowed by the served description', async () => {
  const post = (payload: unknown) => fetch(`${env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  const created = await post({ url: 'http://127.0.0.1:9/hook', seconds: 60 });
  const timer = (await created.json()) as { id: string };
  expectAllowed('/timer', 'post', created.status, timer);
  const invalid = await post({ url: 'not a url', seconds: -1 });
  expectAllowed('/timer', 'post', invalid.status, await invalid.json());
  const read = await fetch(`${env.url}/timer/${timer.id}`);
  expectAllowed('/timer/{id}', 'get', read.status, await read.json());
  const unknown = await fetch(`${env.url}/timer/00000000-0000-7000-8000-000000000000`);
  expectAllowed('/timer/{id}', 'get', unknown.status, await unknown.json());
  const list = await fetch(`${env.url}/timers?limit=5`);
  expectAllowed('/timers', 'get', list.status, await list.json());
  const health = await fetch(`${env.url}/health`);
  expectAllowed('/health', 'get', health.status, await health.json());
  // and the check does refuse what the description does not allow
  expect(() => expectAllowed('/timer/{id}', 'get', 200, { id: timer.id, time_left: -1 })).toThrow();
  expect(() => expectAllowed('/timer/{id}', 'get', 418, {})).toThrow();
});
