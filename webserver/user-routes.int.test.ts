// Integration (issue 7): users, tokens, 401 rules, ownership of timers and tasks and AUTH_REQUIRED,
// with the webserver's app on real RabbitMQ and PostgreSQL. Timers are persisted by the consumer's
// own insert from the incoming_timers message the app published (owner_id travels in it).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { AmqpClient } from '../common/amqp.js';
import { queueNames } from '../common/queue-names.js';
import { decodeMessage, incomingTimerMessage } from '../common/timer-message.js';
import { insertTimers } from '../consumer/persist-timers.js';
import { issueToken, type TokenSettings } from '../common/tokens.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { AMQP_URL, deleteTopology, testQueuePrefix } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { AppServers, takeMessage } from '../test/helpers/app-servers.js';
import { appDeps } from '../test/helpers/app-deps.js';
import { taskRegistry } from '../worker/tasks/registry.js';
import { createApp } from './app.js';
import { tokenAnswer, userAnswer, userListAnswer } from './openapi-users.js';
import { TaskReplies } from './task-replies.js';
import type { TaskDeps } from './submit-task.js';

jest.setTimeout(60_000);

const prefix = testQueuePrefix();
const log = silentLogger();
const tokens: TokenSettings = { secret: 'integration test secret, 32 bytes or more', algorithm: 'HS256', expiresInMin: 30 };
let dbs: TestDatabases;
let amqp: AmqpClient;
let base: string;
let strictBase: string;
const servers = new AppServers();

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  amqp = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-users-${prefix}`);
  const replies = new TaskReplies(dbs.main, log);
  amqp.onPublishChannel(replies.attach);
  await amqp.start();
  await amqp.waitForConnect();
  const tasks: TaskDeps = { amqp, mainDb: dbs.main, registry: taskRegistry({ testing: false }), replies, defaultTimeoutS: 10, defaultMaxAttempts: 2, maxWaitS: 5, sumMaxNumbers: 100, now: Date.now };
  const app = (required: boolean) =>
    createApp(appDeps({ amqp, mainDb: dbs.main, shards: dbs.shards, log, tasks, auth: { mainDb: dbs.main, tokens, required, adminEmails: ['admin@example.com'] } }));
  base = await servers.listen(app(false));
  strictBase = await servers.listen(app(true));
});

afterAll(async () => {
  await servers.closeAll();
  await amqp.close();
  await deleteTopology(queueNames(prefix));
  await dbs.drop();
});

type Json = Record<string, unknown>;

async function call(path: string, opts: { method?: string; token?: string; body?: unknown; base?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${opts.base ?? base}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
}

const register = (email: string, password = 'password-123', name?: string) => call('/users', { body: { email, password, ...(name === undefined ? {} : { name }) } });

async function login(email: string, password = 'password-123'): Promise<string> {
  const res = await call('/token', { body: { email, password } });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

async function userWithToken(email: string): Promise<{ id: string; token: string }> {
  const res = await register(email);
  expect(res.status).toBe(201);
  return { id: res.body.id as string, token: await login(email) };
}

/** Creates a timer and lets the consumer's insert store it from the published message. */
async function createTimer(token?: string): Promise<string> {
  const res = await call('/timer', { token, body: { seconds: 3600, url: 'http://127.0.0.1:9/hook' } });
  expect(res.status).toBe(201);
  const timer = decodeMessage(incomingTimerMessage, await takeMessage(amqp.names.incomingTimers));
  expect(timer.id).toBe(res.body.id);
  await insertTimers(dbs.main, [timer]);
  return timer.id;
}

describe('registration', () => {
  it('answers 201 with the user, never the password; stores an scrypt hash; enqueues the mail task owned by the user', async () => {
    const res = await register('  Alice@Example.COM ', 'alice-password', 'Alice');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), email: 'alice@example.com', name: 'Alice', role: 'user', created_at: expect.any(String), registration_mail_sent_at: null });
    expect(res.headers.get('location')).toBe(`/users/${res.body.id}`);
    expect(() => userAnswer.parse(res.body)).not.toThrow();
    expect(JSON.stringify(res.body)).not.toContain('alice-password');
    const row = (await dbs.main.query('SELECT email, password_hash FROM users WHERE id = $1', [res.body.id])).rows[0];
    expect(row.email).toBe('alice@example.com');
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    const task = (await dbs.main.query('SELECT type, args, state, max_attempts, owner_id FROM tasks WHERE owner_id = $1', [res.body.id])).rows;
    expect(task).toEqual([{ type: 'send_registration_email', args: { user_id: res.body.id }, state: 'queued', max_attempts: 10, owner_id: res.body.id }]);
  });

  it('a taken email (any case, any spaces) is a 409', async () => {
    expect((await register('bob@example.com')).status).toBe(201);
    const again = await register(' BOB@example.com', 'other-password');
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('email_taken');
  });

  it('100 parallel registrations of one email yield exactly one user', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => register('race@example.com', `password-${i}`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    const count = await dbs.main.query(`SELECT count(*)::int AS n FROM users WHERE email = 'race@example.com'`);
    expect(count.rows[0].n).toBe(1);
    const mails = await dbs.main.query(`SELECT count(*)::int AS n FROM tasks t JOIN users u ON u.id = t.owner_id WHERE u.email = 'race@example.com'`);
    expect(mails.rows[0].n).toBe(1);
  });

  it('every bad input gets a 422 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ email: 'not-an-email', password: 'password-123' }, 'email'],
      [{ email: 'a@example.com', password: 'short' }, 'password'],
      [{ email: 'a@example.com', password: 'x'.repeat(1_025) }, 'password'],
      [{ email: 'a@example.com' }, 'password'],
      [{ email: 'a@example.com', password: 'password-123', name: 'bell\u0007' }, 'name'],
      [{ email: 'a@example.com', password: 'password-123', role: 'admin' }, ''],
      [{ email: `${'a'.repeat(250)}@example.com`, password: 'password-123' }, 'email'],
      [['a@example.com'], ''],
    ];
    for (const [body, field] of cases) {
      const res = await call('/users', { body });
      expect(res.status).toBe(422);
      expect(res.body.error).toBe('validation_failed');
      if (field) expect((res.body.details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
    }
    expect((await call('/users', { body: 'email=a@example.com', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('injection-shaped emails are refused or stored verbatim; injection-shaped names are stored verbatim', async () => {
    const quoted = await register(`"x'; DROP TABLE users;--"@example.com`);
    expect(quoted.status).toBe(422);
    expect((await register(`o'reilly'or'1'='1@example.com`)).status).toBe(422);
    expect((await register(`robert@example.com\r\nBcc: victim@example.com`)).status).toBe(422);
    const tables = await register(`Robert+Tables@example.com`, 'password-123', `Robert'); DROP TABLE users;-- <script>alert(1)</script>`);
    expect(tables.status).toBe(201);
    expect(tables.body).toMatchObject({ email: 'robert+tables@example.com', name: `Robert'); DROP TABLE users;-- <script>alert(1)</script>` });
    const token = await login('robert+tables@example.com');
    expect((await call('/users/me', { token })).body.name).toBe(`Robert'); DROP TABLE users;-- <script>alert(1)</script>`);
    // A login shaped like an injection matches nobody.
    expect((await call('/token', { body: { email: `' OR '1'='1`, password: `' OR '1'='1` } })).status).toBe(401);
    expect((await dbs.main.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBeGreaterThan(2);
  });

  it('an email in ADMIN_EMAILS registers as admin', async () => {
    expect((await register('Admin@Example.com')).body.role).toBe('admin');
  });
});

describe('POST /token', () => {
  beforeAll(async () => {
    expect((await register('carol@example.com', 'carol-password')).status).toBe(201);
  });

  it('takes the OAuth2 password form (username = email) and JSON with email or username', async () => {
    const form = await call('/token', { body: 'grant_type=password&username=Carol%40example.com&password=carol-password', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(200);
    expect(form.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 1800 });
    expect(form.headers.get('cache-control')).toBe('no-store');
    expect(() => tokenAnswer.parse(form.body)).not.toThrow();
    expect((await call('/token', { body: { username: 'carol@example.com', password: 'carol-password' } })).status).toBe(200);
    const me = await call('/users/me', { token: form.body.access_token as string });
    expect(me.body.email).toBe('carol@example.com');
  });

  it('an unknown email and a wrong password get the same 401', async () => {
    const wrong = await call('/token', { body: { email: 'carol@example.com', password: 'not-carols' } });
    const unknown = await call('/token', { body: { email: 'nobody@example.com', password: 'not-carols' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.body).toEqual({ error: 'invalid_credentials', message: 'incorrect email or password' });
    }
  });

  it('a missing field is a 422, another media type a 415', async () => {
    expect((await call('/token', { body: { email: 'carol@example.com' } })).status).toBe(422);
    expect((await call('/token', { body: { password: 'x' } })).status).toBe(422);
    expect((await call('/token', { body: 'carol', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });
});

describe('bad tokens get 401 with WWW-Authenticate: Bearer, never a 500', () => {
  let dave: { id: string; token: string };
  beforeAll(async () => {
    dave = await userWithToken('dave@example.com');
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const sign = (header: Json, payload: Json, secret: string, hash = 'sha256') => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
  };

  it('refuses missing, malformed, expired, forged, wrong-secret, alg none, confused and truncated tokens', async () => {
    const claims = { sub: dave.id, iss: 'timer-service', exp: Math.floor(Date.now() / 1000) + 600 };
    const [h, , s] = dave.token.split('.');
    const bad: Record<string, string> = {
      garbage: 'garbage',
      expired: (await issueToken(tokens, dave.id, Date.now() - 31 * 60_000)).access_token,
      forged: `${h}.${b64({ ...claims, sub: '0190a8a4-0000-7000-8000-000000000009' })}.${s}`,
      'wrong secret': (await issueToken({ ...tokens, secret: 'another secret of thirty-two bytes!!' }, dave.id)).access_token,
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'HS512 where HS256 is configured': (await issueToken({ ...tokens, algorithm: 'HS512' }, dave.id)).access_token,
      'RS256 header, HMAC signature': sign({ alg: 'RS256' }, claims, tokens.secret),
      truncated: dave.token.slice(0, -3),
      'no signature': dave.token.slice(0, dave.token.lastIndexOf('.')),
      'unknown user': (await issueToken(tokens, '0190a8a4-0000-7000-8000-00000000000a')).access_token,
      'not a uuid subject': sign({ alg: 'HS256' }, { ...claims, sub: "1' OR '1'='1" }, tokens.secret),
    };
    for (const [what, token] of Object.entries(bad)) {
      const res = await call('/users/me', { token });
      expect({ what, status: res.status }).toEqual({ what, status: 401 });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="timer-service", error="invalid_token"/);
      expect(res.body.error).toBe('invalid_token');
    }
    for (const header of ['Basic ZGF2ZTpwdw==', 'Bearer', 'Bearer a b', `bearer  ${dave.token} extra`]) {
      const res = await call('/users/me', { headers: { authorization: header } });
      expect({ header, status: res.status }).toEqual({ header, status: 401 });
    }
    const none = await call('/users/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="timer-service"');
    // A bad token is refused even on routes that are open to anonymous clients.
    expect((await call('/timers', { token: 'garbage' })).status).toBe(401);
    expect((await call('/users/me', { token: dave.token })).status).toBe(200);
  });
});

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
    await dbs.main.query(`UPDATE users SET role = 'admin' WHERE email = 'admin2@example.com'`);
    admin = await login('admin2@example.com');
    erins.timer = await createTimer(erin.token);
    anonymousTimer = await createTimer();
    erins.task = (await call('/tasks', { token: erin.token, body: { type: 'noop' } })).body.id as string;
    erins.parse = (await call('/parse', { token: erin.token, body: { data: 'x' } })).body.task_id as string;
    erins.sum = (await call('/async/post_task', { token: erin.token, body: [1, 2] })).body.session_id as string;
    for (const id of Object.values(erins)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('frank and anonymous clients get 404 for erin\'s timer, tasks and user; erin and an admin reach them', async () => {
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
    // An ownerless timer stays readable without a token (seed 001's clients), but not by a user.
    expect((await call(`/timer/${anonymousTimer}`)).status).toBe(200);
    expect((await call(`/timer/${anonymousTimer}`, { token: frank.token })).status).toBe(404);
  });

  it('GET /timers and GET /tasks: a user sees its own, an anonymous client the ownerless ones, an admin all', async () => {
    const ids = async (path: string, key: string, token?: string) =>
      ((await call(path, { token })).body[key] as Array<{ id: string }>).map((t) => t.id);
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

  it('seed 000\'s parse routes need a token', async () => {
    for (const [method, path] of [['POST', '/parse'], ['GET', `/parser_results/${erins.parse}`], ['GET', '/async_parser?data=x']] as const) {
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
    const all = (await dbs.main.query('SELECT email FROM users ORDER BY id')).rows.map((r) => r.email);
    expect(seen).toEqual(all);
    expect(JSON.stringify(seen)).not.toContain('password');
  });
});

describe('a user manages itself', () => {
  it('PATCH changes the name and the password; DELETE removes the user and its tokens stop working', async () => {
    const grace = await userWithToken('grace@example.com');
    const renamed = await call(`/users/${grace.id}`, { method: 'PATCH', token: grace.token, body: { name: 'Grace H.' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Grace H.');
    expect((await call(`/users/${grace.id}`, { method: 'PATCH', token: grace.token, body: { password: 'short' } })).status).toBe(422);
    expect((await call(`/users/${grace.id}`, { method: 'PATCH', token: grace.token, body: {} })).status).toBe(422);
    expect((await call(`/users/${grace.id}`, { method: 'PATCH', token: grace.token, body: { password: 'new-password-1' } })).status).toBe(200);
    expect((await call('/token', { body: { email: 'grace@example.com', password: 'password-123' } })).status).toBe(401);
    const fresh = await login('grace@example.com', 'new-password-1');
    expect((await call('/users/not-a-uuid', { token: fresh })).status).toBe(400);
    expect((await call(`/users/${grace.id}`, { method: 'DELETE', token: fresh })).status).toBe(204);
    expect((await call('/users/me', { token: fresh })).status).toBe(401);
    expect((await call('/token', { body: { email: 'grace@example.com', password: 'new-password-1' } })).status).toBe(401);
  });
});

describe('many users at once', () => {
  it('concurrent requests of different users (their lookups share one query) each get their own user; a bad subject fails only its own request', async () => {
    const people = await Promise.all(['kim', 'leo', 'mia'].map((name) => userWithToken(`${name}@example.com`)));
    // Signed by us but naming no user: 36 dashes look like a UUID to a loose check, not to PostgreSQL.
    const dashes = (await issueToken(tokens, '-'.repeat(36))).access_token;
    const asked = Array.from({ length: 60 }, (_, i) => (i % 10 === 9 ? null : people[i % people.length]!));
    const answers = await Promise.all(asked.map((who) => call('/users/me', { token: who ? who.token : dashes })));
    for (const [i, answer] of answers.entries()) {
      const who = asked[i];
      if (!who) expect(answer.status).toBe(401);
      else expect({ status: answer.status, id: answer.body.id }).toEqual({ status: 200, id: who.id });
    }
  });
});

describe('AUTH_REQUIRED=true', () => {
  it('every API route needs a token; health, readiness, the OpenAPI document, registering and logging in do not', async () => {
    for (const path of ['/timers', '/tasks', `/timer/${'0'.repeat(8)}-0000-7000-8000-000000000000`, '/users/me', '/api/data', '/no-such-route']) {
      const res = await call(path, { base: strictBase });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="timer-service"');
    }
    expect((await call('/timer', { base: strictBase, body: { seconds: 1, url: 'http://127.0.0.1:9/' } })).status).toBe(401);
    for (const path of ['/health', '/ready', '/openapi.json']) expect((await call(path, { base: strictBase })).status).toBe(200);
    const doc = (await call('/openapi.json', { base: strictBase })).body as { components: unknown; paths: Record<string, Record<string, { security: unknown }>> };
    expect(doc.components).toEqual({ securitySchemes: { bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) } });
    expect(doc.paths['/parse']!.post!.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/timers']!.get!.security).toEqual([{}, { bearer: [] }]);
    expect(doc.paths['/token']!.post!.security).toEqual([]);
    expect((await call('/users', { base: strictBase, body: { email: 'heidi@example.com', password: 'password-123' } })).status).toBe(201);
    const token = (await call('/token', { base: strictBase, body: { email: 'heidi@example.com', password: 'password-123' } })).body.access_token as string;
    expect((await call('/timers', { base: strictBase, token })).status).toBe(200);
    expect((await call('/tasks', { base: strictBase, token })).status).toBe(200);
  });
});
