// Integration: throttling of POST /token per account and per client address, counted in PostgreSQL.
// The delays here are long (a minute and more) so that no test depends on how fast requests follow each
// other; "after the delay" is reached by moving the recorded failure back in time, never by sleeping.
// Client addresses are given as nginx gives them, in X-Forwarded-For, which the app believes from its
// trusted proxy (loopback, where the test runs).
import { describe, expect, it, jest } from '@jest/globals';
import { useUserApi, type Answer } from '../../test/helpers/user-api.js';
import { DEFAULT_LOGIN_SETTINGS, type LoginSettings } from './login-throttle.js';
import { tooManyAttemptsAnswer } from '../openapi/openapi-users.js';

jest.setTimeout(120_000);

const settings: LoginSettings = {
  account: { freeFailures: 5, baseDelayMs: 60_000, maxDelayMs: 120_000, forgetAfterMs: 3_600_000 },
  address: { freeFailures: 10, baseDelayMs: 60_000, maxDelayMs: 600_000, forgetAfterMs: 3_600_000 },
  hashConcurrency: DEFAULT_LOGIN_SETTINGS.hashConcurrency,
  hashQueue: 100,
};
const api = useUserApi({ login: settings });
const { call, register } = api;

const attempt = (email: string, password: string, address: string, base?: string) => call('/token', { body: { email, password }, headers: { 'x-forwarded-for': address }, base });

function expectThrottled(res: Answer, atMostS: number): number {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({ error: 'too_many_attempts', message: expect.any(String) });
  expect(() => tooManyAttemptsAnswer.parse(res.body)).not.toThrow();
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(atMostS);
  expect(res.body.retry_after_s).toBe(retryAfter);
  return retryAfter;
}

const record = async (kind: 'account' | 'address', subject: string) =>
  (await api.dbs.main.query<{ failures: number }>('SELECT failures FROM login_throttles WHERE kind = $1 AND subject = $2', [kind, subject])).rows[0] ?? null;

/** As if `seconds` had passed since the record's last failure. */
const moveBack = (kind: 'account' | 'address', subject: string, seconds: number) =>
  api.dbs.main.query('UPDATE login_throttles SET last_failure_at = last_failure_at - make_interval(secs => $3) WHERE kind = $1 AND subject = $2', [kind, subject, seconds]);

describe('per account', () => {
  it('sixty wrong passwords in a row are throttled with 429 and Retry-After', async () => {
    expect((await register('olga@example.com', 'olgas-password')).status).toBe(201);
    const statuses: number[] = [];
    let last: Answer | undefined;
    for (let i = 0; i < 60; i += 1) {
      last = await attempt('olga@example.com', `guess-${i}`, '198.51.100.1');
      statuses.push(last.status);
    }
    // Five free failures, a sixth that starts the delay, then nothing more is even checked.
    expect(statuses).toEqual([...Array<number>(6).fill(401), ...Array<number>(54).fill(429)]);
    expectThrottled(last!, 60);
    expect(await record('account', 'olga@example.com')).toEqual({ failures: 6 });
    // Refused before the password is looked at: the right one too (the answer must not tell it is right),
    // and from a fresh address too (the account's own delay).
    expectThrottled(await attempt('olga@example.com', 'olgas-password', '198.51.100.2'), 60);
  });

  it('a throttled account still lets its owner in after the delay', async () => {
    expect((await register('paul@example.com', 'pauls-password')).status).toBe(201);
    for (let i = 0; i < 6; i += 1) expect((await attempt('paul@example.com', `guess-${i}`, '198.51.100.3')).status).toBe(401);
    const retryAfter = expectThrottled(await attempt('paul@example.com', 'pauls-password', '203.0.113.30'), 60);
    await moveBack('account', 'paul@example.com', retryAfter);
    const owner = await attempt('paul@example.com', 'pauls-password', '203.0.113.30');
    expect(owner.status).toBe(200);
    expect(owner.body.access_token).toEqual(expect.any(String));
    // The owner's success clears the account's failures; the guesser's address keeps its own.
    expect(await record('account', 'paul@example.com')).toBeNull();
    expect(await record('address', '198.51.100.3')).toEqual({ failures: 6 });
  });

  it('an attacker keeps an account closed for at most the account ceiling, however many failures it made', async () => {
    expect((await register('quinn@example.com', 'quinns-password')).status).toBe(201);
    for (let i = 0; i < 6; i += 1) expect((await attempt('quinn@example.com', `guess-${i}`, `198.51.100.${40 + i}`)).status).toBe(401);
    await api.dbs.main.query(`UPDATE login_throttles SET failures = 100000 WHERE kind = 'account' AND subject = 'quinn@example.com'`);
    const retryAfter = expectThrottled(await attempt('quinn@example.com', 'quinns-password', '203.0.113.40'), 120);
    expect(retryAfter).toBeGreaterThan(60);
    await moveBack('account', 'quinn@example.com', retryAfter);
    expect((await attempt('quinn@example.com', 'quinns-password', '203.0.113.40')).status).toBe(200);
  });

  it('an unknown email is throttled exactly like a registered one', async () => {
    const unknown: number[] = [];
    for (let i = 0; i < 7; i += 1) unknown.push((await attempt('nobody-here@example.com', `guess-${i}`, `198.51.100.${60 + i}`)).status);
    expect(unknown).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });
});

describe('per client address', () => {
  it('one address guessing across many emails is throttled by its address, for every email, also a right password', async () => {
    expect((await register('rita@example.com', 'ritas-password')).status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await attempt(`target-${i}@example.com`, 'guess', '192.0.2.77')).status);
    expect(statuses).toEqual(Array<number>(11).fill(401));
    expectThrottled(await attempt('target-99@example.com', 'guess', '192.0.2.77'), 60);
    expectThrottled(await attempt('rita@example.com', 'ritas-password', '192.0.2.77'), 60);
    // Every other client logs in as usual, also on another replica (the counts are in the database).
    expect((await attempt('rita@example.com', 'ritas-password', '192.0.2.78')).status).toBe(200);
    expect((await attempt('rita@example.com', 'ritas-password', '192.0.2.79', api.strictBase)).status).toBe(200);
    expectThrottled(await attempt('target-98@example.com', 'guess', '192.0.2.77', api.strictBase), 60);
    // A success of the throttled address's owner elsewhere does not reset the address: after the delay it
    // has one attempt, and its next failure doubles the delay.
    await moveBack('address', '192.0.2.77', 60);
    expect((await attempt('target-97@example.com', 'guess', '192.0.2.77')).status).toBe(401);
    expect(expectThrottled(await attempt('target-96@example.com', 'guess', '192.0.2.77'), 120)).toBeGreaterThan(60);
  });

  it('the address counted is the one nginx appended to X-Forwarded-For, not what the client wrote before it', async () => {
    expect((await attempt('sam@example.com', 'guess', '10.9.9.9, 203.0.113.50')).status).toBe(401);
    expect(await record('address', '203.0.113.50')).toEqual({ failures: 1 });
    expect(await record('address', '10.9.9.9')).toBeNull();
    // An IPv6 client is counted by its /64.
    expect((await attempt('sam@example.com', 'guess', '2001:db8:aa:bb::1')).status).toBe(401);
    expect((await attempt('sam@example.com', 'guess', '2001:db8:aa:bb::2')).status).toBe(401);
    expect(await record('address', '2001:db8:aa:bb::/64')).toEqual({ failures: 2 });
  });

  it('a successful login without earlier failures writes nothing', async () => {
    expect((await register('tara@example.com', 'taras-password')).status).toBe(201);
    expect((await attempt('tara@example.com', 'taras-password', '203.0.113.60')).status).toBe(200);
    expect(await record('account', 'tara@example.com')).toBeNull();
    expect(await record('address', '203.0.113.60')).toBeNull();
  });
});

describe('a client that does not come through a trusted proxy', () => {
  const direct = useUserApi({ login: settings, trustedProxies: [] });

  it('cannot pick its address with X-Forwarded-For: every guess counts against its own socket address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const res = await direct.call('/token', { body: { email: `spoof-${i}@example.com`, password: 'guess' }, headers: { 'x-forwarded-for': `198.18.0.${i}` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(11).fill(401), 429]);
    const subjects = (await direct.dbs.main.query<{ subject: string }>(`SELECT subject FROM login_throttles WHERE kind = 'address'`)).rows.map((r) => r.subject);
    expect(subjects).toEqual(['127.0.0.1']);
  });
});
