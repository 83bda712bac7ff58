// Integration, users and tokens: registering, logging in, the 401 rules for bad tokens and a user managing
// itself, with the webserver's app on real RabbitMQ and PostgreSQL (test/helpers/user-api.ts).
// Ownership and AUTH_REQUIRED are in user-ownership.int.test.ts.
import { describe, expect, it, jest } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { issueToken } from '../../common/auth/tokens.js';
import { testTokens, useUserApi, type Json } from '../../test/helpers/user-api.js';
import { tokenAnswer, userAnswer } from '../openapi/openapi-users.js';

jest.setTimeout(60_000);

const api = useUserApi();
const { call, register, login, userWithToken } = api;

describe('registration', () => {
  it('answers 201 with the user, never the password; stores an scrypt hash; enqueues the mail task owned by the user', async () => {
    const res = await register('  Alice@Example.COM ', 'alice-password', 'Alice');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), email: 'alice@example.com', name: 'Alice', role: 'user', created_at: expect.any(String), registration_mail_sent_at: null });
    expect(res.headers.get('location')).toBe(`/users/${res.body.id}`);
    expect(() => userAnswer.parse(res.body)).not.toThrow();
    expect(JSON.stringify(res.body)).not.toContain('alice-password');
    const row = (await api.dbs.main.query('SELECT email, password_hash FROM users WHERE id = $1', [res.body.id])).rows[0];
    expect(row.email).toBe('alice@example.com');
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    const task = (await api.dbs.main.query('SELECT type, args, state, max_attempts, owner_id FROM tasks WHERE owner_id = $1', [res.body.id])).rows;
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
    const count = await api.dbs.main.query(`SELECT count(*)::int AS n FROM users WHERE email = 'race@example.com'`);
    expect(count.rows[0].n).toBe(1);
    const mails = await api.dbs.main.query(`SELECT count(*)::int AS n FROM tasks t JOIN users u ON u.id = t.owner_id WHERE u.email = 'race@example.com'`);
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
    expect((await api.dbs.main.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBeGreaterThan(2);
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
      expired: (await issueToken(testTokens, dave.id, Date.now() - 31 * 60_000)).access_token,
      forged: `${h}.${b64({ ...claims, sub: '0190a8a4-0000-7000-8000-000000000009' })}.${s}`,
      'wrong secret': (await issueToken({ ...testTokens, secret: 'another secret of thirty-two bytes!!' }, dave.id)).access_token,
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'HS512 where HS256 is configured': (await issueToken({ ...testTokens, algorithm: 'HS512' }, dave.id)).access_token,
      'RS256 header, HMAC signature': sign({ alg: 'RS256' }, claims, testTokens.secret),
      truncated: dave.token.slice(0, -3),
      'no signature': dave.token.slice(0, dave.token.lastIndexOf('.')),
      'unknown user': (await issueToken(testTokens, '0190a8a4-0000-7000-8000-00000000000a')).access_token,
      'not a uuid subject': sign({ alg: 'HS256' }, { ...claims, sub: "1' OR '1'='1" }, testTokens.secret),
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
    const dashes = (await issueToken(testTokens, '-'.repeat(36))).access_token;
    const asked = Array.from({ length: 60 }, (_, i) => (i % 10 === 9 ? null : people[i % people.length]!));
    const answers = await Promise.all(asked.map((who) => call('/users/me', { token: who ? who.token : dashes })));
    for (const [i, answer] of answers.entries()) {
      const who = asked[i];
      if (!who) expect(answer.status).toBe(401);
      else expect({ status: answer.status, id: answer.body.id }).toEqual({ status: 200, id: who.id });
    }
  });
});
