// Integration: ownership of timers, tasks and users (another user gets 404, lists show a
// user its own) and AUTH_REQUIRED=true, with the webserver's app on real RabbitMQ and PostgreSQL
// (test/helpers/user-api.ts).
import { describe, expect, it, jest } from '@jest/globals';
import { useUserApi, type Json } from '../../test/helpers/user-api.js';
import { userListAnswer } from '../openapi/openapi-users.js';

jest.setTimeout(60_000);

const api = useUserApi();
const { call, register, login, userWithToken, createTimer } = api;

describe('ownership: another user gets 404 on every route, and never sees it in a list', () => {
  let erin: { id: string; token: string };
  let frank: { id: string; token: string };
  let admin: string;
  const erins: Record<string, string> = {};
  let anonymousTimer: string;

  beforeAll(async () => {
    erin = await userWithToken('erin@example.com');
    frank = await userWithToken('frank@example.com');
    await register('admin2@example.com');
    await api.dbs.main.query(`UPDATE users SET role = 'admin' WHERE email = 'admin2@example.com'`);
    admin = await login('admin2@example.com');
    erins.timer = await createTimer(erin.token);
    anonymousTimer = await createTimer();
    erins.task = (await call('/tasks', { token: erin.token, body: { type: 'noop' } })).body.id as string;
    erins.parse = (await call('/parse', { token: erin.token, body: { data: 'x' } })).body.task_id as string;
    erins.sum = (await call('/async/post_task', { token: erin.token, body: [1, 2] })).body.session_id as string;
    for (const id of Object.values(erins)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("frank and anonymous clients get 404 for erin's timer, tasks and user; erin and an admin reach them", async () => {
    const routes: Array<[string, string, boolean]> = [
      ['GET', `/timer/${erins.timer}`, true],
      ['POST', `/timer/${erins.timer}/replay`, true],
      ['PATCH', `/timer/${erins.timer}`, true],
      ['DELETE', `/timer/${erins.timer}`, true],
      ['GET', `/tasks/${erins.task}`, true],
      ['POST', `/tasks/${erins.task}/cancel`, true],
      ['GET', `/async/get_task_result?session_id=${erins.sum}`, true],
      ['GET', `/parser_results/${erins.parse}`, false],
      ['GET', `/users/${erin.id}`, false],
      ['PATCH', `/users/${erin.id}`, false],
      ['DELETE', `/users/${erin.id}`, false],
    ];
    for (const [method, path, anonymousToo] of routes) {
      const body = method !== 'PATCH' ? undefined : path.startsWith('/timer/') ? { seconds: 5 } : { name: 'taken over' };
      const byFrank = await call(path, { method, token: frank.token, body });
      expect({ method, path, status: byFrank.status }).toEqual({ method, path, status: 404 });
      if (anonymousToo) expect({ method, path, status: (await call(path, { method, body })).status }).toEqual({ method, path, status: 404 });
    }
    expect((await call(`/timer/${erins.timer}`, { token: erin.token })).status).toBe(200);
    expect((await call(`/timer/${erins.timer}`, { token: admin })).status).toBe(200);
    expect((await call(`/tasks/${erins.task}`, { token: erin.token })).status).toBe(200);
    expect((await call(`/parser_results/${erins.parse}`, { token: erin.token })).status).toBe(200);
    expect((await call(`/users/${erin.id}`, { token: admin })).body.email).toBe('erin@example.com');
    // Erin's things are unchanged.
    expect((await call(`/timer/${erins.timer}`, { token: erin.token })).body.state).toBe('scheduled');
    expect((await call(`/users/${erin.id}`, { token: erin.token })).body.name).toBeNull();
    expect((await call(`/tasks/${erins.task}`, { token: erin.token })).body.state).toBe('queued');
    // An ownerless timer stays readable without a token (clients of the plain timer API), but not by a user.
    expect((await call(`/timer/${anonymousTimer}`)).status).toBe(200);
    expect((await call(`/timer/${anonymousTimer}`, { token: frank.token })).status).toBe(404);
  });

  it('GET /timers and GET /tasks: a user sees its own, an anonymous client the ownerless ones, an admin all', async () => {
    const ids = async (path: string, key: string, token?: string) => ((await call(path, { token })).body[key] as Array<{ id: string }>).map((t) => t.id);
    expect(await ids('/timers', 'timers', erin.token)).toEqual([erins.timer]);
    expect(await ids('/timers', 'timers', frank.token)).toEqual([]);
    const anonymousTimers = await ids('/timers', 'timers');
    expect(anonymousTimers).toContain(anonymousTimer);
    expect(anonymousTimers).not.toContain(erins.timer);
    expect(await ids('/timers', 'timers', admin)).toEqual(expect.arrayContaining([erins.timer, anonymousTimer]));
    const erinsTasks = await ids('/tasks', 'tasks', erin.token);
    expect(erinsTasks).toHaveLength(4); // and her registration mail
    expect(erinsTasks).toEqual(expect.arrayContaining([erins.task, erins.parse, erins.sum]));
    const franks = await ids('/tasks', 'tasks', frank.token);
    expect(franks).toHaveLength(1); // his registration mail
    const anonymousTasks = await ids('/tasks', 'tasks');
    for (const id of Object.values(erins)) {
      expect(franks).not.toContain(id);
      expect(anonymousTasks).not.toContain(id);
    }
    expect(await ids('/tasks?limit=1000', 'tasks', admin)).toEqual(expect.arrayContaining(Object.values(erins).filter((id) => id !== erins.timer)));
    // The bulk replay only touches the caller's timers.
    expect((await call('/timers/replay', { token: frank.token, body: {} })).body).toEqual({ replayed: 0, ids: [] });
  });

  it('the parse routes need a token', async () => {
    for (const [method, path] of [
      ['POST', '/parse'],
      ['GET', `/parser_results/${erins.parse}`],
      ['GET', '/async_parser?data=x'],
    ] as const) {
      const res = await call(path, { method, body: method === 'POST' ? { data: 'x' } : undefined });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect((await call('/async_parser?data=x', { token: frank.token })).status).toBe(202);
  });

  it('GET /users: an admin lists everyone by a cursor; a user may not', async () => {
    expect((await call('/users', { token: frank.token })).status).toBe(403);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await call(`/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      expect(() => userListAnswer.parse(page.body)).not.toThrow();
      seen.push(...(page.body.users as Array<{ email: string }>).map((u) => u.email));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    const all = (await api.dbs.main.query('SELECT email FROM users ORDER BY id')).rows.map((r) => r.email);
    expect(seen).toEqual(all);
    expect(JSON.stringify(seen)).not.toContain('password');
  });
});

describe('AUTH_REQUIRED=true', () => {
  it('every API route needs a token; health, readiness, the OpenAPI document, registering and logging in do not', async () => {
    for (const path of ['/timers', '/tasks', `/timer/${'0'.repeat(8)}-0000-7000-8000-000000000000`, '/users/me', '/api/data', '/no-such-route']) {
      const res = await call(path, { base: api.strictBase });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="timer-service"');
    }
    expect((await call('/timer', { base: api.strictBase, body: { seconds: 1, url: 'http://127.0.0.1:9/' } })).status).toBe(401);
    for (const path of ['/health', '/ready', '/openapi.json']) expect((await call(path, { base: api.strictBase })).status).toBe(200);
    const doc = (await call('/openapi.json', { base: api.strictBase })).body as { components: unknown; paths: Record<string, Record<string, { security: unknown }>> };
    expect(doc.components).toEqual(expect.objectContaining({ securitySchemes: { bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) } }));
    expect(doc.paths['/parse']!.post!.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/timers']!.get!.security).toEqual([{}, { bearer: [] }]);
    expect(doc.paths['/token']!.post!.security).toEqual([]);
    expect((await call('/users', { base: api.strictBase, body: { email: 'heidi@example.com', password: 'password-123' } })).status).toBe(201);
    const token = (await call('/token', { base: api.strictBase, body: { email: 'heidi@example.com', password: 'password-123' } })).body.access_token as string;
    expect((await call('/timers', { base: api.strictBase, token })).status).toBe(200);
    expect((await call('/tasks', { base: api.strictBase, token })).status).toBe(200);
  });
});
