// Integration on real PostgreSQL and RabbitMQ: the flow-control routes. A key's limits are set exactly,
// read back with its pause, in-flight and waiting counts, listed page by page; a pause ends at its
// instant or when resumed; keys are per owner; bad input is a 422 naming the field; the deliveries
// switch is an admin's.
import { useUserApi } from '../../test/helpers/user-api.js';
import { flowKeyAnswer, flowKeyListAnswer, deliveriesAnswer, errorAnswer } from '../openapi/openapi.js';
import { pauseUntilAtLeast } from '../../common/store/flow-keys.js';

const api = useUserApi();

let adminToken: string | undefined;
const admin = async () => (adminToken ??= (await api.userWithToken('admin@example.com')).token);

const fieldsOf = (body: unknown) => errorAnswer.parse(body).details?.map((d) => d.field) ?? [];

test('PUT sets the limits exactly (a limit left out is none), GET reads them back', async () => {
  const { token } = await api.userWithToken('limits@example.com');
  const put = await api.call('/flow-control/emails', { method: 'PUT', token, body: { rate: 10, period_s: 60, parallelism: 2 } });
  expect(put.status).toBe(200);
  expect(flowKeyAnswer.parse(put.body)).toMatchObject({ key: 'emails', rate: 10, period_s: 60, parallelism: 2, paused: false, paused_until: null, in_flight: 0, waiting: 0 });
  const replaced = await api.call('/flow-control/emails', { method: 'PUT', token, body: { parallelism: 5 } });
  expect(replaced.body).toMatchObject({ rate: null, period_s: 1, parallelism: 5 });
  const read = await api.call('/flow-control/emails', { token });
  expect(read.status).toBe(200);
  expect(flowKeyAnswer.parse(read.body)).toMatchObject({ key: 'emails', rate: null, period_s: 1, parallelism: 5 });
  const unknown = await api.call('/flow-control/never-named', { token });
  expect(unknown.status).toBe(404);
  expect(unknown.body).toMatchObject({ error: 'not_found' });
});

test("GET /flow-control pages through the caller's keys with a cursor, never repeating one", async () => {
  const { token } = await api.userWithToken('pages@example.com');
  const names = ['a-key', 'b-key', 'c-key', 'd-key', 'e-key'];
  for (const name of names) expect((await api.call(`/flow-control/${name}`, { method: 'PUT', token, body: { rate: 1 } })).status).toBe(200);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.call(`/flow-control?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status).toBe(200);
    const page = flowKeyListAnswer.parse(res.body);
    expect(page.keys.length).toBeLessThanOrEqual(2);
    seen.push(...page.keys.map((k) => k.key));
    cursor = page.next_cursor;
  } while (cursor !== null);
  expect(seen).toEqual(names);
  const forged = await api.call('/flow-control?cursor=not-a-cursor', { token });
  expect(forged.status).toBe(422);
  expect(fieldsOf(forged.body)).toEqual(['cursor']);
});

test('a pause ends at its instant or when resumed; pausing a key no timer named yet creates it', async () => {
  const { token } = await api.userWithToken('pause@example.com');
  const until = new Date(Date.now() + 3_600_000).toISOString();
  const paused = await api.call('/flow-control/later/pause', { token, body: { until } });
  expect(paused.status).toBe(200);
  expect(flowKeyAnswer.parse(paused.body)).toMatchObject({ key: 'later', paused: true, paused_until: until, pause_reason: 'paused through the API', rate: null, parallelism: null });
  const forever = await api.call('/flow-control/later/pause', { method: 'POST', token });
  expect(forever.body).toMatchObject({ paused: true, paused_until: null });
  expect((await api.call('/flow-control/later', { token })).body).toMatchObject({ paused: true, paused_until: null });
  const resumed = await api.call('/flow-control/later/resume', { method: 'POST', token });
  expect(resumed.status).toBe(200);
  expect(flowKeyAnswer.parse(resumed.body)).toMatchObject({ paused: false, paused_until: null, pause_reason: null });
  expect((await api.call('/flow-control/never-named/resume', { method: 'POST', token })).status).toBe(404);

  const past = await api.call('/flow-control/later/pause', { token, body: { until: '2020-01-01T00:00:00Z' } });
  expect(past.status).toBe(422);
  expect(fieldsOf(past.body)).toEqual(['until']);
  const notJson = await api.call('/flow-control/later/pause', { token, body: 'until=tomorrow', headers: { 'content-type': 'text/plain' } });
  expect(notJson.status).toBe(415);
});

test("keys are per owner: another owner's key of the same name is unknown to the caller, and its own is separate", async () => {
  const a = await api.userWithToken('owner-a@example.com');
  const b = await api.userWithToken('owner-b@example.com');
  await api.call('/flow-control/shared', { method: 'PUT', token: a.token, body: { rate: 5 } });
  expect((await api.call('/flow-control/shared', { token: b.token })).status).toBe(404);
  expect((await api.call('/flow-control/shared')).status).toBe(404);
  expect((await api.call('/flow-control/shared/resume', { method: 'POST', token: b.token })).status).toBe(404);
  await api.call('/flow-control/shared', { method: 'PUT', token: b.token, body: { rate: 9 } });
  await api.call('/flow-control/shared/pause', { method: 'POST', token: b.token });
  expect((await api.call('/flow-control/shared', { token: a.token })).body).toMatchObject({ rate: 5, paused: false, owner_id: a.id });
  expect((await api.call('/flow-control/shared', { token: b.token })).body).toMatchObject({ rate: 9, paused: true, owner_id: b.id });
  const listed = flowKeyListAnswer.parse((await api.call('/flow-control', { token: b.token })).body);
  expect(listed.keys.map((k) => [k.key, k.owner_id])).toEqual([['shared', b.id]]);
  // An admin lists every owner's keys.
  const all = flowKeyListAnswer.parse((await api.call('/flow-control?limit=500', { token: await admin() })).body);
  expect(
    all.keys
      .filter((k) => k.key === 'shared')
      .map((k) => k.owner_id)
      .sort(),
  ).toEqual([a.id, b.id].sort());
});

test("an admin acts on another owner's key with owner_id (none: the ownerless keys); anyone else gets a 403", async () => {
  const a = await api.userWithToken('owned@example.com');
  await api.call('/flow-control/theirs', { method: 'PUT', token: a.token, body: { parallelism: 2 } });
  const paused = await api.call(`/flow-control/theirs/pause?owner_id=${a.id}`, { method: 'POST', token: await admin() });
  expect(paused.status).toBe(200);
  expect(flowKeyAnswer.parse(paused.body)).toMatchObject({ key: 'theirs', owner_id: a.id, paused: true, parallelism: 2 });
  expect((await api.call('/flow-control/theirs', { token: a.token })).body).toMatchObject({ paused: true });
  expect((await api.call(`/flow-control/theirs/resume?owner_id=${a.id}`, { method: 'POST', token: await admin() })).body).toMatchObject({ owner_id: a.id, paused: false });
  await api.call('/flow-control/anonymous-key', { method: 'PUT', body: { rate: 3 } });
  expect((await api.call('/flow-control/anonymous-key?owner_id=none', { token: await admin() })).body).toMatchObject({ owner_id: null, rate: 3 });
  const b = await api.userWithToken('another-user@example.com');
  const refused = await api.call(`/flow-control/theirs/pause?owner_id=${a.id}`, { method: 'POST', token: b.token });
  expect(refused.status).toBe(403);
  expect((await api.call('/flow-control/theirs', { token: a.token })).body).toMatchObject({ paused: false });
  const bad = await api.call('/flow-control/theirs?owner_id=someone', { token: await admin() });
  expect(bad.status).toBe(422);
  expect(fieldsOf(bad.body)).toEqual(['owner_id']);
});

test('bad input is a 422 naming the field', async () => {
  const { token } = await api.userWithToken('bad-input@example.com');
  const cases: Array<[string, unknown, string]> = [
    ['/flow-control/k', { rate: 0 }, 'rate'],
    ['/flow-control/k', { period_s: -1 }, 'period_s'],
    ['/flow-control/k', { parallelism: 2.5 }, 'parallelism'],
    ['/flow-control/k', { burst: 3 }, 'burst'],
    ['/flow-control/k', [1], '(body)'],
    [`/flow-control/${'k'.repeat(500)}`, { rate: 1 }, 'key'],
    ['/flow-control/a%20b', { rate: 1 }, 'key'],
    ['/flow-control/a%2Fb', { rate: 1 }, 'key'],
  ];
  for (const [path, body, field] of cases) {
    const res = await api.call(path, { method: 'PUT', token, body });
    expect([path, res.status]).toEqual([path, 422]);
    expect([path, fieldsOf(res.body)]).toEqual([path, [field]]);
  }
  expect(fieldsOf((await api.call('/flow-control/a%20b', { token })).body)).toEqual(['key']);
  expect(fieldsOf((await api.call('/flow-control/k/pause', { token, body: { until: 'tomorrow' } })).body)).toEqual(['until']);
  expect(fieldsOf((await api.call('/flow-control/k/pause', { token, body: { until: new Date(Date.now() + 60_000).toISOString(), why: 'x' } })).body)).toEqual(['why']);
  expect(fieldsOf((await api.call('/flow-control?limit=0', { token })).body)).toEqual(['limit']);
});

test("the deliveries switch is an admin's: 401 without a token, 403 for a user; pause until an instant, resume, paused hosts", async () => {
  const user = await api.userWithToken('not-admin@example.com');
  expect((await api.call('/deliveries')).status).toBe(401);
  expect((await api.call('/deliveries/pause', { method: 'POST' })).status).toBe(401);
  expect((await api.call('/deliveries', { token: user.token })).status).toBe(403);
  expect((await api.call('/deliveries/pause', { method: 'POST', token: user.token })).status).toBe(403);
  expect((await api.call('/deliveries/resume', { method: 'POST', token: user.token })).status).toBe(403);

  const before = await api.call('/deliveries', { token: await admin() });
  expect(before.status).toBe(200);
  expect(deliveriesAnswer.parse(before.body)).toMatchObject({ paused: false, paused_until: null, waiting: 0, paused_hosts: [] });
  const until = new Date(Date.now() + 600_000).toISOString();
  const paused = await api.call('/deliveries/pause', { token: await admin(), body: { until } });
  expect(deliveriesAnswer.parse(paused.body)).toMatchObject({ paused: true, paused_until: until });
  expect((await api.call('/deliveries', { token: await admin() })).body).toMatchObject({ paused: true, paused_until: until });
  expect(fieldsOf((await api.call('/deliveries/pause', { token: await admin(), body: { until: '2001-01-01T00:00:00Z' } })).body)).toEqual(['until']);
  const resumed = await api.call('/deliveries/resume', { method: 'POST', token: await admin() });
  expect(deliveriesAnswer.parse(resumed.body)).toMatchObject({ paused: false, paused_until: null, pause_reason: null });

  // A receiver's Retry-After paused a host (as a trigger records it).
  const hostUntil = Date.now() + 120_000;
  await pauseUntilAtLeast(api.dbs.main, 'host', null, 'slow.example.com', hostUntil, 'HTTP 429 with Retry-After: 120', Date.now());
  const hosts = deliveriesAnswer.parse((await api.call('/deliveries', { token: await admin() })).body).paused_hosts;
  expect(hosts).toEqual([{ host: 'slow.example.com', paused_until: new Date(hostUntil).toISOString(), pause_reason: 'HTTP 429 with Retry-After: 120', waiting: 0 }]);
});
