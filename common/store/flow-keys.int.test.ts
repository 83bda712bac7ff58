// Integration on real PostgreSQL: the flow_keys statements a caller relies on: limits a timer leaves out
// keep the key's, a receiver's pause never shortens a longer one, and an owner's list reads its index.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { planReads } from '../../test/helpers/query-plan.js';
import { findFlowKey, flowKeyId, LIST_FLOW_KEYS_SQL, listFlowKeysParams, nameFlowKeys, pauseFlowKey, pauseUntilAtLeast, putFlowKey } from './flow-keys.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

const OWNER = '0190a0b0-0000-7000-8000-000000000001';

test("a timer naming a key sets the limits it gives; the limits it leaves out keep the key's", async () => {
  const now = Date.now();
  await putFlowKey(dbs.main, OWNER, 'k', { rate: 10, period_s: 60, parallelism: 4 }, now);
  await nameFlowKeys(dbs.main, [{ ownerId: OWNER, key: 'k', parallelism: 2 }], now);
  expect(await findFlowKey(dbs.main, flowKeyId('key', OWNER, 'k'))).toMatchObject({ rate: 10, period_s: 60, parallelism: 2 });
  // A rate given without a period is per second.
  await nameFlowKeys(dbs.main, [{ ownerId: OWNER, key: 'k', rate: 5 }], now);
  expect(await findFlowKey(dbs.main, flowKeyId('key', OWNER, 'k'))).toMatchObject({ rate: 5, period_s: 1, parallelism: 2 });
  // A key named without limits exists, unlimited; the same name of another owner is another key.
  await nameFlowKeys(dbs.main, [{ ownerId: null, key: 'k' }], now);
  expect(await findFlowKey(dbs.main, flowKeyId('key', null, 'k'))).toMatchObject({ owner_id: null, rate: null, parallelism: null });
});

test("a receiver's Retry-After lengthens a pause, never shortens an operator's longer one", async () => {
  const now = Date.now();
  await pauseFlowKey(dbs.main, 'key', OWNER, 'k', Infinity, 'maintenance', now);
  await pauseUntilAtLeast(dbs.main, 'key', OWNER, 'k', now + 5_000, 'Retry-After', now);
  expect(await findFlowKey(dbs.main, flowKeyId('key', OWNER, 'k'))).toMatchObject({ paused_until: Infinity, pause_reason: 'maintenance' });
  await pauseUntilAtLeast(dbs.main, 'host', null, 'example.com', now + 5_000, 'Retry-After', now);
  await pauseUntilAtLeast(dbs.main, 'host', null, 'example.com', now + 2_000, 'Retry-After again', now);
  expect(Number((await findFlowKey(dbs.main, flowKeyId('host', null, 'example.com')))!.paused_until)).toBeCloseTo(now + 5_000, -2);
});

test("an owner's list of keys, and an admin's, read the owner-and-key index, never the whole table", async () => {
  const now = Date.now();
  await nameFlowKeys(
    dbs.main,
    Array.from({ length: 5_000 }, (_, i) => ({ ownerId: i % 100 === 0 ? OWNER : null, key: `k${i}` })),
    now,
  );
  await dbs.main.query('ANALYZE flow_keys');
  for (const scope of [{ all: false as const, owner: OWNER }, { all: false as const, owner: null }, { all: true as const }])
    expect(await planReads(dbs.main, LIST_FLOW_KEYS_SQL, listFlowKeysParams(scope, { ownerId: OWNER, key: 'k5' }, 50))).toEqual({ seqScans: [], indexes: ['flow_keys_owner_key'] });
});
