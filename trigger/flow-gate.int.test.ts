// Integration on real PostgreSQL: the flow gate's transaction (asks answered under the key's lock, the
// held ones held, leases granted) and the release of held timers in due order, as several triggers
// would run them at once.
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { claimTimers } from '../common/store/timers.js';
import { flowKeyId, nameFlowKeys, pauseFlowKey, resumeFlowKey, DELIVERIES_KEY_ID } from '../common/store/flow-keys.js';
import { shardOf } from '../common/store/shard.js';
import { admitByKey, admitClaimed, holdOn, type GateAsk } from './flow-gate.js';
import { releaseKey, type ReleaseDeps, type Released } from './release-held.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(2);
  delivered = [];
});

afterEach(async () => {
  await dbs.drop();
});

const OWNER = null;
const KEY = flowKeyId('key', OWNER, 'k');

/** Timers of key k, due one ms apart from `at`, claimed as a trigger claims them; their ids in due order. */
async function claimedTimers(count: number, at: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newTimerId());
  for (const [i, id] of ids.entries())
    await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, flow_key) VALUES ($1, 'http://127.0.0.1:9/hook', to_timestamp($2 / 1000.0), now(), 'k')`, [id, at + i]);
  await claimTimers(dbs.main, ids, { now: at + count, marginMs: 5_000, earlyMs: 2_000, defaultTimeoutMs: 1_000 });
  return ids;
}

let delivered: Released[] = [];
const releaseDeps = (now: number): ReleaseDeps => ({
  main: dbs.main,
  shards: dbs.shards,
  now: () => now,
  horizonMs: 1_000,
  leaseMs: 10_000,
  dueSoonMs: null,
  claim: { marginMs: 5_000, earlyMs: 2_000, defaults: { maxAttempts: 3, backoffMs: 1_000, maxBackoffMs: 10_000, timeoutMs: 1_000 } },
  budget: () => 1_000,
  deliver: (released) => delivered.push(...released),
});

const asksOf = (ids: string[], fields: Partial<GateAsk> = {}): GateAsk[] => ids.map((timerId) => ({ timerId, attempt: 1, pauses: [], key: KEY, lease: null, leaseMs: 7_000, ...fields }));

const keyRow = async () => (await dbs.main.query('SELECT held, extract(epoch FROM next_slot_at) * 1000 AS next_slot FROM flow_keys WHERE id = $1', [KEY])).rows[0];
const states = async (ids: string[]) => (await dbs.main.query('SELECT id, state, attempts, held_on FROM timers WHERE id = ANY($1::uuid[])', [ids])).rows;
const shardRows = async (ids: string[]) => {
  const rows = [];
  for (const id of ids) rows.push(...(await dbs.shards[shardOf(id, dbs.shards.length)]!.query('SELECT id, extract(epoch FROM fire_at) * 1000 AS at FROM timers_to_fire WHERE id = $1', [id])).rows);
  return rows;
};

test('four triggers asking at once never let more than the parallelism go; the rest are held on the key with their attempt undone', async () => {
  const now = Date.now();
  await nameFlowKeys(dbs.main, [{ ownerId: OWNER, key: 'k', parallelism: 3 }], now);
  const ids = await claimedTimers(12, now);
  const answers = (await Promise.all([0, 1, 2, 3].map((t) => admitClaimed(dbs.main, asksOf(ids.slice(t * 3, t * 3 + 3)), now, 1_000)))).flat();
  expect(answers.filter((a) => a.kind === 'go')).toHaveLength(3);
  const held = answers.flatMap((a, i) => (a.kind === 'held' ? [ids[i]!] : []));
  expect(held).toHaveLength(9);
  for (const row of await states(held)) expect(row).toMatchObject({ state: 'held', attempts: 0, held_on: KEY });
  expect((await keyRow()).held).toBe(9);
  expect((await dbs.main.query('SELECT count(*)::int AS n FROM flow_leases WHERE key_id = $1', [KEY])).rows[0].n).toBe(3);
});

test('a rate shares one clock: starts are spaced by period / rate whichever trigger asks', async () => {
  const now = Date.now();
  await nameFlowKeys(dbs.main, [{ ownerId: OWNER, key: 'k', rate: 10, period_s: 1 }], now);
  const ids = await claimedTimers(4, now);
  const first = await admitClaimed(dbs.main, asksOf(ids.slice(0, 2)), now, 1_000);
  const second = await admitClaimed(dbs.main, asksOf(ids.slice(2)), now, 1_000);
  expect([...first, ...second].map((a) => (a.kind === 'go' ? a.startAt - now : a.kind))).toEqual([0, 100, 200, 300]);
  expect(Number((await keyRow()).next_slot)).toBeCloseTo(now + 400, -1);
});

test("a release claims the first waiting timers in due order for this trigger, as far as the free places allow, each with its lease and a shard row for its claim's expiry", async () => {
  const now = Date.now();
  await nameFlowKeys(dbs.main, [{ ownerId: OWNER, key: 'k', parallelism: 2 }], now);
  const ids = await claimedTimers(5, now);
  // Held in reverse order of due time: the release still goes by due time.
  for (const [i, id] of [...ids].reverse().entries()) await holdOn(dbs.main, [{ id, attempt: 1, heldOn: KEY, reason: `held ${i}` }]);
  expect((await keyRow()).held).toBe(5);
  const deps = releaseDeps(now);
  expect(await releaseKey(deps, KEY)).toBe(2);
  // Claimed for this trigger to deliver at once, each with its lease, and a shard row due when its claim
  // expires, should the trigger die before the answer.
  expect(delivered.map((r) => r.timer.id)).toEqual(ids.slice(0, 2));
  expect(delivered.map((r) => r.lease.keyId)).toEqual([KEY, KEY]);
  for (const row of await states(ids.slice(0, 2))) expect(row).toMatchObject({ state: 'firing', attempts: 1, held_on: null });
  const safety = await shardRows(ids);
  expect(safety).toHaveLength(2);
  for (const row of safety) expect(Number(row.at)).toBeGreaterThanOrEqual(now + 5_000 + 2_000 + 1_000 - 1);
  expect((await keyRow()).held).toBe(3);
  // Both places are taken by the released timers' leases: nothing more until one is given back.
  expect(await releaseKey(deps, KEY)).toBe(0);
  await dbs.main.query('DELETE FROM flow_leases WHERE timer_id = $1', [ids[0]]);
  expect(await releaseKey(deps, KEY)).toBe(1);
  expect(delivered.map((r) => r.timer.id)).toEqual(ids.slice(0, 3));
});

test('a count that drifted (a held timer cancelled) is set right by the next release', async () => {
  const now = Date.now();
  await nameFlowKeys(dbs.main, [{ ownerId: OWNER, key: 'k', parallelism: 10 }], now);
  const ids = await claimedTimers(2, now);
  await dbs.main.query(`UPDATE timers SET state = 'held', held_on = $1, attempts = 0 WHERE id = ANY($2::uuid[])`, [KEY, ids]);
  await dbs.main.query(`UPDATE timers SET state = 'cancelled', held_on = NULL WHERE id = $1`, [ids[1]]);
  await dbs.main.query('UPDATE flow_keys SET held = 2 WHERE id = $1', [KEY]);
  const deps = releaseDeps(now);
  expect(await releaseKey(deps, KEY)).toBe(1);
  expect((await keyRow()).held).toBe(0);
});

test('all deliveries paused: a timer without a key is held on the pause, and released once it is resumed', async () => {
  const now = Date.now();
  await pauseFlowKey(dbs.main, 'deliveries', null, '*', Infinity, 'maintenance', now);
  const [id] = await claimedTimers(1, now);
  const [answer] = await admitClaimed(dbs.main, asksOf([id!], { key: null, pauses: [DELIVERIES_KEY_ID] }), now, 1_000);
  expect(answer).toEqual({ kind: 'held', on: DELIVERIES_KEY_ID });
  const deps = releaseDeps(now);
  expect(await releaseKey(deps, DELIVERIES_KEY_ID)).toBe(0);
  await resumeFlowKey(dbs.main, DELIVERIES_KEY_ID, now);
  expect(await releaseKey(deps, DELIVERIES_KEY_ID)).toBe(1);
  expect(await states([id!])).toEqual([{ id, state: 'scheduled', attempts: 0, held_on: null }]);
  expect(await shardRows([id!])).toHaveLength(1);
});

test("holdOn: a timer held outside an ask (a receiver's Retry-After) is counted on its key", async () => {
  const now = Date.now();
  await pauseFlowKey(dbs.main, 'key', OWNER, 'k', now + 60_000, 'Retry-After', now);
  const [id] = await claimedTimers(1, now);
  await holdOn(dbs.main, [{ id: id!, attempt: 1, heldOn: KEY, reason: 'the receiver answered 429 with Retry-After' }]);
  expect((await keyRow()).held).toBe(1);
  expect((await dbs.main.query('SELECT state, attempts, last_error FROM timers WHERE id = $1', [id])).rows[0]).toEqual({
    state: 'held',
    attempts: 0,
    last_error: 'the receiver answered 429 with Retry-After',
  });
});

test("a key whose row is locked (a big hold under way) does not make another key's timers wait: each key's asks are answered on their own", async () => {
  const now = Date.now();
  const OTHER = flowKeyId('key', OWNER, 'other');
  await nameFlowKeys(
    dbs.main,
    [
      { ownerId: OWNER, key: 'k', parallelism: 1 },
      { ownerId: OWNER, key: 'other', parallelism: 1 },
    ],
    now,
  );
  const [busy] = await claimedTimers(1, now);
  const free = newTimerId();
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, flow_key) VALUES ($1, 'http://127.0.0.1:9/hook', to_timestamp($2 / 1000.0), now(), 'other')`, [free, now]);
  await claimTimers(dbs.main, [free], { now, marginMs: 5_000, earlyMs: 2_000, defaultTimeoutMs: 1_000 });
  const locker = await dbs.main.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM flow_keys WHERE id = $1 FOR UPDATE', [KEY]);
    const answers = admitByKey(dbs.main, [...asksOf([busy!]), ...asksOf([free], { key: OTHER })], now, 1_000);
    // The other key's lease is granted and committed while the first key's row is still locked.
    for (;;) {
      const leases = await dbs.main.query('SELECT 1 FROM flow_leases WHERE key_id = $1 AND timer_id = $2', [OTHER, free]);
      if (leases.rowCount === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await locker.query('COMMIT');
    expect((await answers).map((a) => a.kind)).toEqual(['go', 'go']);
  } finally {
    locker.release();
  }
});
