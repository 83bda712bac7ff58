// Integration: claiming Idempotency-Keys in batches on real PostgreSQL.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { claimKeys, releaseKey, requestHash, type KeyRequest } from './idempotency-keys.js';

let dbs: TestDatabases;
let n = 0;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
});

afterAll(async () => {
  await dbs.drop();
});

// created_at decides whether a key is still live (24 h), so it must be the real time of the run.
const now = Date.now();
function request(key: string, body: unknown): KeyRequest {
  n += 1;
  return { key, hash: requestHash(body), timer: { id: newTimerId(), fire_at: now + 60_000 + n, created_at: now + n } };
}

test('new keys are all claimed in one batch; the same requests again are repeats naming the first timers', async () => {
  const first = ['a', 'b', 'c'].map((k) => request(`-:batch-${k}`, { seconds: 60, url: `http://127.0.0.1:9/${k}` }));
  expect(await claimKeys(dbs.main, first)).toEqual([{ kind: 'new' }, { kind: 'new' }, { kind: 'new' }]);
  const again = ['a', 'b', 'c'].map((k) => request(`-:batch-${k}`, { url: `http://127.0.0.1:9/${k}`, seconds: 60 }));
  expect(await claimKeys(dbs.main, again)).toEqual(first.map((r) => ({ kind: 'repeat', timerId: r.timer.id, fireAt: r.timer.fire_at, createdAt: r.timer.created_at })));
});

test('one key three times in one batch: the first claims it, the same body repeats it, another body is refused', async () => {
  const body = { seconds: 5, url: 'http://127.0.0.1:9/same' };
  const [a, b, c] = [request('-:dup', body), request('-:dup', { ...body }), request('-:dup', { ...body, seconds: 6 })];
  const claims = await claimKeys(dbs.main, [a!, b!, c!]);
  expect(claims).toEqual([{ kind: 'new' }, { kind: 'repeat', timerId: a!.timer.id, fireAt: a!.timer.fire_at, createdAt: a!.timer.created_at }, { kind: 'mismatch' }]);
});

test('a key used with another body in an earlier batch is refused; keys of two owners do not meet', async () => {
  await claimKeys(dbs.main, [request('owner-1:k', { seconds: 1, url: 'http://127.0.0.1:9/x' })]);
  const claims = await claimKeys(dbs.main, [request('owner-1:k', { seconds: 2, url: 'http://127.0.0.1:9/x' }), request('owner-2:k', { seconds: 2, url: 'http://127.0.0.1:9/x' })]);
  expect(claims).toEqual([{ kind: 'mismatch' }, { kind: 'new' }]);
});

test('a key older than 24 hours is taken again by a new request; a released key too', async () => {
  const old = request('-:old', { seconds: 1, url: 'http://127.0.0.1:9/old' });
  await claimKeys(dbs.main, [old]);
  await dbs.main.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [old.key]);
  const fresh = request('-:old', { seconds: 9, url: 'http://127.0.0.1:9/other' });
  expect(await claimKeys(dbs.main, [fresh])).toEqual([{ kind: 'new' }]);
  await releaseKey(dbs.main, fresh.key, fresh.timer.id);
  const retry = request('-:old', { seconds: 9, url: 'http://127.0.0.1:9/other' });
  expect(await claimKeys(dbs.main, [retry])).toEqual([{ kind: 'new' }]);
});
