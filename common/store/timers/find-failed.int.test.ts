// Integration: which failed timers a bulk replay takes (findFailed), on a real PostgreSQL.
import { newTimerId } from '../../messages/timer-id.js';
import { createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.js';
import { findFailed } from './reads.js';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
});

afterAll(() => dbs.drop());

/** A timer of `state` whose last attempt was at `lastAttemptAt` (ISO), with a URL and an owner. */
async function timer(state: string, lastAttemptAt: string, url = 'https://a.example/hook', owner: string | null = null): Promise<string> {
  const id = newTimerId();
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, state, last_attempt_at, owner_id) VALUES ($1, $2, now(), now(), $3, $4, $5)`, [id, url, state, lastAttemptAt, owner]);
  return id;
}

test('failed_after (inclusive) and failed_before (exclusive) bound the last attempt; only failed timers, the longest-failed first', async () => {
  const early = await timer('failed', '2026-01-01T10:00:00Z');
  const atStart = await timer('failed', '2026-01-01T11:00:00Z');
  const inside = await timer('failed', '2026-01-01T11:30:00Z');
  const atEnd = await timer('failed', '2026-01-01T12:00:00Z');
  await timer('delivered', '2026-01-01T11:15:00Z');
  await timer('retrying', '2026-01-01T11:20:00Z');

  const window = { failed_after: '2026-01-01T11:00:00Z', failed_before: '2026-01-01T12:00:00Z', limit: 100 };
  expect(await findFailed(dbs.main, window)).toEqual([atStart, inside]);
  expect(await findFailed(dbs.main, { failed_before: '2026-01-01T11:00:00Z', limit: 100 })).toEqual([early]);
  expect(await findFailed(dbs.main, { failed_after: '2026-01-01T11:30:00Z', limit: 100 })).toEqual([inside, atEnd]);
  expect(await findFailed(dbs.main, { ...window, limit: 1 })).toEqual([atStart]);
});

test('the time window combines with the URL prefix and the owner scope', async () => {
  const owner = '0196a000-0000-7000-8000-000000000001';
  const mine = await timer('failed', '2026-02-01T10:00:00Z', 'https://b.example/orders/1', owner);
  await timer('failed', '2026-02-01T10:00:00Z', 'https://b.example/users/1', owner);
  await timer('failed', '2026-02-01T10:00:00Z', 'https://b.example/orders/2', null);
  const filter = { url_prefix: 'https://b.example/orders/', failed_after: '2026-02-01T00:00:00Z', failed_before: '2026-02-02T00:00:00Z', limit: 100 };
  expect(await findFailed(dbs.main, filter, { all: false, owner })).toEqual([mine]);
  expect(await findFailed(dbs.main, filter)).toHaveLength(2);
});
