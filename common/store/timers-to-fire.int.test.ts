// Integration: pollers' claims, deletes and releases on a real timer-db shard, as PostgreSQL plans them.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { planReads } from '../../test/helpers/query-plan.js';
import { CLAIM_DUE_SQL, claimDue, claimDueParams, deleteFired, releaseClaims } from './timers-to-fire.js';
import { insertDue as insertDueRows } from '../../test/helpers/due-rows.js';
import { updatesOf } from '../../test/helpers/hot-updates.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

const insertDue = (count: number, fireAt: (i: number) => number) => insertDueRows(dbs.shards[0]!, count, fireAt);

test("a poll reaches the shard's rows through its indexes, never by reading the whole table, with or without statistics", async () => {
  const now = Date.now();
  await insertDue(20_000, (i) => now + i);
  const shard = dbs.shards[0]!;
  const scannedTables = async () => (await planReads(shard, CLAIM_DUE_SQL, claimDueParams({ now, horizon: now + 100, leaseUntil: now + 30_000, owner: 'me', limit: 5_000 }))).seqScans;
  expect(await scannedTables()).toEqual([]);
  await shard.query('ANALYZE timers_to_fire');
  expect(await scannedTables()).toEqual([]);
});

test("a poll's leases are mostly written beside their rows (HOT), without new index entries", async () => {
  const now = Date.now();
  await insertDue(1_000, (i) => now - 1_000 + i);
  const shard = dbs.shards[0]!;
  const writes = await updatesOf(shard, 'timers_to_fire', (client) =>
    claimDue(client, { now, horizon: now, leaseUntil: now + 30_000, owner: 'timer-poller-7f9c6d5b8-x2x4q:4242:Hc3xkLq9', limit: 1_000 }),
  );
  expect(writes.updated).toBe(1_000);
  // Pages filled to the brim (fillfactor 100) left room for none.
  expect(writes.hot).toBeGreaterThanOrEqual(500);
});

test('two pollers on one shard never claim the same row, and together claim every due row', async () => {
  const now = Date.now();
  const ids = await insertDue(3_000, (i) => now - i);
  const shard = dbs.shards[0]!;
  const claimAll = async (owner: string) => {
    const mine: string[] = [];
    for (;;) {
      const rows = await claimDue(shard, { now, horizon: now, leaseUntil: now + 60_000, owner, limit: 97 });
      if (rows.length === 0) return mine;
      mine.push(...rows.map((r) => r.id));
    }
  };
  const [a, b] = await Promise.all([claimAll('poller-a'), claimAll('poller-b')]);
  const overlap = a.filter((id) => new Set(b).has(id));
  expect(overlap).toEqual([]);
  expect(new Set([...a, ...b])).toEqual(new Set(ids));
  expect(a.length).toBeGreaterThan(0);
  expect(b.length).toBeGreaterThan(0);
});

test('an expired lease is claimed again by another poller; a live one is not', async () => {
  const now = Date.now();
  const [id] = await insertDue(1, () => now);
  const shard = dbs.shards[0]!;
  const first = await claimDue(shard, { now, horizon: now, leaseUntil: now + 5_000, owner: 'dead-poller', limit: 10 });
  expect(first.map((r) => r.id)).toEqual([id]);

  const whileLeased = await claimDue(shard, { now: now + 4_999, horizon: now + 4_999, leaseUntil: now + 10_000, owner: 'other', limit: 10 });
  expect(whileLeased).toEqual([]);

  const afterExpiry = await claimDue(shard, { now: now + 5_001, horizon: now + 5_001, leaseUntil: now + 20_000, owner: 'other', limit: 10 });
  expect(afterExpiry.map((r) => r.id)).toEqual([id]);
  // The dead poller's late delete must not remove a row another poller now owns.
  await deleteFired(shard, [id!], 'dead-poller');
  expect((await shard.query('SELECT leased_by FROM timers_to_fire WHERE id = $1', [id])).rows).toEqual([{ leased_by: 'other' }]);
});

test('only rows inside the look-ahead window are claimed, oldest first', async () => {
  const now = Date.now();
  const late = await insertDue(3, (i) => now - 10_000 + i);
  await insertDue(5, (i) => now + 60_000 + i);
  const rows = await claimDue(dbs.shards[0]!, { now, horizon: now + 1_000, leaseUntil: now + 30_000, owner: 'p', limit: 100 });
  expect(rows.map((r) => r.id)).toEqual(late);
  expect(rows[0]!.fire_at).toBe(now - 10_000);
});

test('a released claim can be taken at once by another poller', async () => {
  const now = Date.now();
  const ids = await insertDue(4, () => now);
  const shard = dbs.shards[0]!;
  await claimDue(shard, { now, horizon: now, leaseUntil: now + 60_000, owner: 'stopping', limit: 10 });
  await releaseClaims(shard, ids, 'stopping');
  const taken = await claimDue(shard, { now, horizon: now, leaseUntil: now + 60_000, owner: 'other', limit: 10 });
  expect(taken).toHaveLength(4);
});
