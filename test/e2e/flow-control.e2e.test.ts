// End to end through nginx: the flow-control API on a whole stack, every answer checked against the
// OpenAPI description (checked-answers.ts). A user's keys (set, read, list, pause, resume), another
// user's key of the same name, bad input, a timer and a schedule that name a key, and the admins'
// deliveries pause.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { deliveriesAnswer, errorAnswer, flowKeyAnswer, flowKeyListAnswer, scheduleAnswer, timerAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

let env: TestStack;
const tokens: Record<string, string> = {};

async function call(path: string, opts: { method?: string; token?: string; body?: unknown } = {}) {
  const res = await fetch(`${env.url}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function tokenOf(email: string): Promise<string> {
  expect((await call('/users', { body: { email, password: 'password-123' } })).status).toBe(201);
  const answer = await call('/token', { body: { email, password: 'password-123' } });
  return (answer.body as { access_token: string }).access_token;
}

beforeAll(async () => {
  env = await startTestStack({ replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1, worker: 1 }, shards: 1, env: { ADMIN_EMAILS: 'ops@example.com' } });
  for (const email of ['ada@example.com', 'bob@example.com', 'ops@example.com']) tokens[email] = await tokenOf(email);
});

afterAll(async () => {
  await env?.teardown();
});

it("a user's key: set, read on any replica, listed, paused until an instant and resumed; another user's key of the same name is separate", async () => {
  const ada = tokens['ada@example.com']!;
  const bob = tokens['bob@example.com']!;
  const put = await call('/flow-control/emails', { method: 'PUT', token: ada, body: { rate: 10, period_s: 60, parallelism: 2 } });
  expect(put.status).toBe(200);
  expect(flowKeyAnswer.parse(put.body)).toMatchObject({ key: 'emails', rate: 10, period_s: 60, parallelism: 2, paused: false, in_flight: 0, waiting: 0 });
  for (let i = 0; i < 2; i++) expect((await call('/flow-control/emails', { token: ada })).status).toBe(200);
  expect((await call('/flow-control/emails', { token: bob })).status).toBe(404);
  expect((await call('/flow-control/emails/resume', { method: 'POST', token: bob })).status).toBe(404);
  await call('/flow-control/emails', { method: 'PUT', token: bob, body: { parallelism: 1 } });
  await call('/flow-control/reports', { method: 'PUT', token: ada, body: {} });
  const first = flowKeyListAnswer.parse((await call('/flow-control?limit=1', { token: ada })).body);
  expect(first.keys.map((k) => k.key)).toEqual(['emails']);
  const second = flowKeyListAnswer.parse((await call(`/flow-control?limit=1&cursor=${first.next_cursor}`, { token: ada })).body);
  expect(second).toMatchObject({ keys: [{ key: 'reports', rate: null, parallelism: null }], next_cursor: null });

  const until = new Date(Date.now() + 3_600_000).toISOString();
  expect((await call('/flow-control/emails/pause', { token: ada, body: { until } })).body).toMatchObject({ paused: true, paused_until: until });
  expect((await call('/flow-control/emails', { token: bob })).body).toMatchObject({ paused: false, parallelism: 1 });
  expect((await call('/flow-control/emails/resume', { method: 'POST', token: ada })).body).toMatchObject({ paused: false, paused_until: null });
  expect((await call('/flow-control/fresh/pause', { method: 'POST', token: ada })).body).toMatchObject({ key: 'fresh', paused: true, paused_until: null });
});

it('bad input is a 422 naming the field', async () => {
  const ada = tokens['ada@example.com']!;
  const cases: Array<[string, string, unknown, string]> = [
    ['PUT', '/flow-control/k', { rate: 0 }, 'rate'],
    ['PUT', '/flow-control/k', { period_s: -1 }, 'period_s'],
    ['PUT', '/flow-control/k', { rate: 1, burst: 2 }, 'burst'],
    ['PUT', `/flow-control/${'k'.repeat(500)}`, { rate: 1 }, 'key'],
    ['PUT', '/flow-control/a%20b', { rate: 1 }, 'key'],
    ['POST', '/flow-control/k/pause', { until: '2001-01-01T00:00:00Z' }, 'until'],
    ['POST', '/timer', { seconds: 5, url: 'http://127.0.0.1:9/x', flow_control: { key: 'k', rate: 0 } }, 'flow_control.rate'],
    ['POST', '/timer', { seconds: 5, url: 'http://127.0.0.1:9/x', flow_control: { key: 'a/b' } }, 'flow_control.key'],
    ['POST', '/timer', { seconds: 5, url: 'http://127.0.0.1:9/x', flow_control: { key: 'k', extra: 1 } }, 'flow_control.extra'],
  ];
  for (const [method, path, body, field] of cases) {
    const res = await call(path, { method, token: ada, body });
    expect([path, res.status]).toEqual([path, 422]);
    expect(errorAnswer.parse(res.body).details?.map((d) => d.field)).toContain(field);
  }
});

it('a timer and a schedule that name a key show it; the consumer creates the key with the limits given', async () => {
  const ada = tokens['ada@example.com']!;
  const created = await call('/timer', { token: ada, body: { seconds: 3600, url: 'http://127.0.0.1:9/x', flow_control: { key: 'webhooks', parallelism: 3 } } });
  expect(created.status).toBe(201);
  const { id } = created.body as { id: string };
  const timer = timerAnswer.parse((await call(`/timer/${id}`, { token: ada })).body);
  expect(timer.flow_control).toEqual({ key: 'webhooks' });
  expect(flowKeyAnswer.parse((await call('/flow-control/webhooks', { token: ada })).body)).toMatchObject({ parallelism: 3, rate: null });

  const schedule = await call('/schedules', { token: ada, body: { every: '1h', url: 'http://127.0.0.1:9/x', flow_control: { key: 'hourly', rate: 1, period_s: 3600 } } });
  expect(schedule.status).toBe(201);
  expect(scheduleAnswer.parse(schedule.body).flow_control).toEqual({ key: 'hourly' });
  expect((await call('/flow-control/hourly', { token: ada })).body).toMatchObject({ rate: 1, period_s: 3600 });
});

it("the deliveries pause is an admin's", async () => {
  expect((await call('/deliveries')).status).toBe(401);
  expect((await call('/deliveries', { token: tokens['ada@example.com'] })).status).toBe(403);
  const ops = tokens['ops@example.com']!;
  expect(deliveriesAnswer.parse((await call('/deliveries', { token: ops })).body)).toMatchObject({ paused: false, waiting: 0, paused_hosts: [] });
  const until = new Date(Date.now() + 600_000).toISOString();
  expect((await call('/deliveries/pause', { token: ops, body: { until } })).body).toMatchObject({ paused: true, paused_until: until });
  expect((await call('/deliveries/resume', { method: 'POST', token: ops })).body).toMatchObject({ paused: false });
});
