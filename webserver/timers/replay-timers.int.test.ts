// Integration: replaying failed timers (replayTimers) on real PostgreSQL, main database and shards.
import { newTimerId } from '../../common/messages/timer-id.js';
import { shardOf } from '../../common/store/shard.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { replayTimers } from './replay-timers.js';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases(2);
});

afterAll(() => dbs.drop());

const shardHolding = (id: string) => dbs.shards[shardOf(id, dbs.shards.length)]!;

test('a replayed failed timer is put back in its shard even when a stale leased row is still there, with the URL the timer has now', async () => {
  const id = newTimerId();
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, state, attempts, last_attempt_at) VALUES ($1, 'http://127.0.0.1:9/now', now(), now(), 'failed', 3, now())`, [id]);
  await shardHolding(id).query("INSERT INTO timers_to_fire (id, url, fire_at, leased_by, lease_until) VALUES ($1, 'http://127.0.0.1:9/before', now(), 'poller-1', now() + interval '1 minute')", [id]);
  const now = Date.now();
  expect(await replayTimers(dbs.main, dbs.shards, [id], () => now)).toEqual([id]);
  const row = await shardHolding(id).query('SELECT url, fire_at, leased_by, lease_until FROM timers_to_fire WHERE id = $1', [id]);
  expect(row.rows).toEqual([{ url: 'http://127.0.0.1:9/now', fire_at: new Date(now + 1_000), leased_by: null, lease_until: null }]);
  const timer = await dbs.main.query('SELECT state, attempts, series, next_attempt_at FROM timers WHERE id = $1', [id]);
  expect(timer.rows).toEqual([{ state: 'retrying', attempts: 0, series: 2, next_attempt_at: new Date(now + 1_000) }]);
});

test('a timer that is not failed is not replayed, and nothing goes to its shard', async () => {
  const id = newTimerId();
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, state) VALUES ($1, 'http://127.0.0.1:9/hook', now(), now(), 'delivered')`, [id]);
  expect(await replayTimers(dbs.main, dbs.shards, [id], () => Date.now())).toEqual([]);
  expect((await shardHolding(id).query('SELECT id FROM timers_to_fire WHERE id = $1', [id])).rows).toEqual([]);
});
