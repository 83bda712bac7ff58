// Integration: removing a day partition while a replay of one of its timers runs, on a real main
// database. Whatever the order, a replay that answers "replayed" has its timer kept.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { DAY_MS, dayPartitionName, dropPartition, ensureDayPartitions } from './partitions.js';
import { expiryFacts } from './expired-rows.js';
import { markReplayed } from './timers/writes.js';
import { newTimerId } from '../messages/timer-id.js';
import { FIND_TIMER_SQL } from './timers/reads.js';
import { planReads } from '../../test/helpers/query-plan.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

async function waitingOnLock(statementStart: string): Promise<void> {
  for (;;) {
    const { rows } = await dbs.main.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [`${statementStart}%`]);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a replay waiting on a partition being removed is run again and finds no timer, never answers replayed for a timer dropped after', async () => {
  const at = Date.now() - 20 * DAY_MS;
  await ensureDayPartitions(dbs.main, 'timers', at, at + 1);
  const hex = at.toString(16).padStart(12, '0');
  const id = `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000001`;
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, state, expires_at) VALUES ($1, 'http://127.0.0.1:9/hook', now(), now(), 'failed', now() - interval '1 hour')`, [id]);
  const partition = dayPartitionName('timers', at);

  let recheck: () => void = () => undefined;
  const rechecked = new Promise<void>((resolve) => (recheck = resolve));
  let locked: () => void = () => undefined;
  const lockHeld = new Promise<void>((resolve) => (locked = resolve));
  const removal = dropPartition(
    dbs.main,
    'timers',
    partition,
    async (client) => {
      locked();
      await rechecked;
      const facts = await expiryFacts(client, partition);
      return !facts.pending && !facts.kept;
    },
    10_000,
  );
  await lockHeld;
  // The replay reaches the partition while the removal holds its lock, then the removal detaches it.
  const replay = markReplayed(dbs.main, [id], Date.now());
  await waitingOnLock('UPDATE timers');
  recheck();

  const [removed, replayed] = await Promise.all([removal, replay]);
  const kept = await dbs.main.query<{ state: string }>('SELECT state FROM timers WHERE id = $1', [id]);
  if (removed === 'done') {
    expect(replayed).toEqual([]);
    expect(kept.rows).toEqual([]);
  } else {
    expect(replayed.map((r) => r.id)).toEqual([id]);
    expect(kept.rows).toEqual([{ state: 'retrying' }]);
  }
});

test('a day partition not made within the lock timeout (a long read of the default partition) is made at the next call, and nothing waits on it meanwhile', async () => {
  const day = Date.now() + 20 * DAY_MS;
  const reader = await dbs.main.connect();
  try {
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM timers_default');
    const making = ensureDayPartitions(dbs.main, 'timers', day, day + 1, 2_000);
    await waitingOnLock('ALTER TABLE timers ATTACH');
    // While it waits, statements of other partitions go on: a timer of today is written and read.
    const today = newTimerId();
    await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, 'http://127.0.0.1:9/hook', now(), now())`, [today]);
    expect((await dbs.main.query(`SELECT id FROM timers WHERE id = $1`, [today])).rows).toEqual([{ id: today }]);
    expect(await making).toEqual([]);
  } finally {
    await reader.query('COMMIT');
    reader.release();
  }
  expect(await ensureDayPartitions(dbs.main, 'timers', day, day + 1, 200)).toEqual([dayPartitionName('timers', day)]);
});

test("a timer is read by one primary-key probe of its own day's partition, among forty days of them", async () => {
  const now = Date.now();
  await ensureDayPartitions(dbs.main, 'timers', now - 40 * DAY_MS, now);
  const days = Array.from({ length: 40 }, (_, i) => now - i * DAY_MS);
  const ids = days.map((ms) => {
    const hex = ms.toString(16).padStart(12, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000001`;
  });
  // Each day holds 2,000 timers: the one looked for and others issued in the same millisecond.
  await dbs.main.query(
    `INSERT INTO timers (id, url, fire_at, created_at)
     SELECT overlay(t.id::text placing lpad(to_hex(n), 12, '0') from 25)::uuid, 'http://127.0.0.1:9/hook', now(), now()
       FROM unnest($1::uuid[]) AS t(id), generate_series(1, 2000) AS n`,
    [ids],
  );
  await dbs.main.query('ANALYZE timers');
  const reads = await planReads(dbs.main, FIND_TIMER_SQL, [ids[17]], { byPartition: true });
  expect(reads).toEqual({ seqScans: [], indexes: [`${dayPartitionName('timers', days[17]!)}_pkey`] });
});
