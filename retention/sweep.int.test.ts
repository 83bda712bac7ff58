// Integration: the retention sweep on a real main database: what expired goes, a partition at a time;
// what is pending, or kept by its own retention_s, stays, however old.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { DAY_MS, dayPartitionName, ensureDayPartitions, listPartitions } from '../common/store/partitions.js';
import { removedBefore } from '../common/store/retention-removals.js';
import { sweepOnce, type SweepOptions } from './sweep.js';
import { archiverOf } from './archiver.js';

let dbs: TestDatabases;
let serial = 0;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

/** A UUIDv7 issued at `ms`. */
function idAt(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${(++serial).toString(16).padStart(12, '0')}`;
}

const options = (overrides: Partial<SweepOptions> = {}): SweepOptions => ({
  now: Date.now(),
  aheadDays: 2,
  remove: true,
  logRetentionMs: 30 * DAY_MS,
  graceMs: DAY_MS,
  compactMaxKept: 1_000,
  deleteBatch: 100,
  deleteBatches: 5,
  lockTimeoutMs: 2_000,
  compactedAt: new Map(),
  ...overrides,
});

/** Timers issued `daysAgo` days ago, in the given state, expiring at `expires` (SQL). */
async function timersOf(daysAgo: number, n: number, state: string, expires: string, extra: { retention_s?: number } = {}): Promise<string[]> {
  const at = Date.now() - daysAgo * DAY_MS;
  await ensureDayPartitions(dbs.main, 'timers', at, at + 1);
  const ids = Array.from({ length: n }, () => idAt(at));
  await dbs.main.query(
    `INSERT INTO timers (id, url, fire_at, created_at, state, expires_at, retention_s)
     SELECT id, 'http://127.0.0.1:9/hook', to_timestamp($2 / 1000.0), to_timestamp($2 / 1000.0), $3, ${expires}, $4 FROM unnest($1::uuid[]) AS t(id)`,
    [ids, at, state, extra.retention_s ?? null],
  );
  return ids;
}

const present = async (ids: string[]) => (await dbs.main.query<{ n: number }>('SELECT count(*)::int AS n FROM timers WHERE id = ANY($1::uuid[])', [ids])).rows[0]!.n;
const partitionsOf = async (table: 'timers' | 'tasks' | 'log_records') => (await listPartitions(dbs.main, table)).map((p) => p.name);

test('a day partition whose timers all expired is dropped whole, and an unknown id issued before it counts as expired', async () => {
  const old = await timersOf(10, 50, 'delivered', `now() - interval '1 hour'`);
  const failedOld = await timersOf(10, 5, 'failed', `now() - interval '1 second'`);
  const oldDay = dayPartitionName('timers', Date.now() - 10 * DAY_MS);
  expect(await partitionsOf('timers')).toContain(oldDay);

  const report = await sweepOnce(dbs.main, options(), null);

  expect(report.dropped).toContain(oldDay);
  expect(await partitionsOf('timers')).not.toContain(oldDay);
  expect(await present([...old, ...failedOld])).toBe(0);
  expect(await removedBefore(dbs.main, 'timers')).toBe(Math.floor((Date.now() - 10 * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS);
});

test('pending timers of any age stay, and a finished timer still within its own retention_s keeps its partition', async () => {
  const pending = await timersOf(40, 3, 'scheduled', 'NULL');
  const retrying = await timersOf(40, 1, 'retrying', 'NULL');
  const keptLonger = await timersOf(20, 1, 'delivered', `now() + interval '300 days'`, { retention_s: 400 * 86_400 });
  const expired40 = await timersOf(40, 20, 'delivered', `now() - interval '1 day'`);
  const expired20 = await timersOf(20, 20, 'cancelled', `now() - interval '1 day'`);

  const report = await sweepOnce(dbs.main, options(), null);

  expect(await present([...pending, ...retrying, ...keptLonger])).toBe(5);
  expect(await present([...expired40, ...expired20])).toBe(0);
  // Both partitions are rewritten with only what they keep: still there, holding those rows alone.
  expect(report.compacted).toEqual(expect.arrayContaining([dayPartitionName('timers', Date.now() - 40 * DAY_MS), dayPartitionName('timers', Date.now() - 20 * DAY_MS)]));
  expect(report.dropped.filter((name) => name.startsWith('timers_p'))).toEqual([]);
  const counts = await dbs.main.query<{ partition: string; n: number }>(`SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM timers GROUP BY 1 ORDER BY 1`);
  expect(counts.rows).toEqual([
    { partition: dayPartitionName('timers', Date.now() - 40 * DAY_MS), n: 4 },
    { partition: dayPartitionName('timers', Date.now() - 20 * DAY_MS), n: 1 },
  ]);
  // The primary key still finds them, in their rewritten partitions.
  const found = await dbs.main.query('SELECT id FROM timers WHERE id = $1', [keptLonger[0]]);
  expect(found.rowCount).toBe(1);
});

test("today's timers and yesterday's are not looked at, expired or not: ids of the day may still be on their way", async () => {
  const today = await timersOf(0, 5, 'delivered', `now() - interval '1 hour'`);
  const report = await sweepOnce(dbs.main, options(), null);
  expect(report.dropped.filter((name) => name.startsWith('timers_p'))).toEqual([]);
  expect(await present(today)).toBe(5);
  expect(await removedBefore(dbs.main, 'timers')).toBeNull();
});

test('a partition held by more rows than a rewrite would copy has its expired rows deleted in batches instead', async () => {
  const kept = await timersOf(15, 30, 'scheduled', 'NULL');
  const expired = await timersOf(15, 250, 'delivered', `now() - interval '1 day'`);
  const report = await sweepOnce(dbs.main, options({ compactMaxKept: 10, deleteBatch: 100, deleteBatches: 2 }), null);
  // Two batches of 100 in this sweep, the rest in the next.
  expect(report.deleted).toBe(200);
  expect(await present(expired)).toBe(50);
  await sweepOnce(dbs.main, options({ compactMaxKept: 10, deleteBatch: 100, deleteBatches: 2 }), null);
  expect(await present(expired)).toBe(0);
  expect(await present(kept)).toBe(30);
});

test('with removal off (RETENTION_SWEEP_INTERVAL_MS=0) partitions are made ahead and nothing expired is removed', async () => {
  const expired = await timersOf(10, 5, 'delivered', `now() - interval '1 day'`);
  const report = await sweepOnce(dbs.main, options({ remove: false, aheadDays: 5 }), null);
  expect(await present(expired)).toBe(5);
  expect(report.dropped).toEqual([]);
  for (const table of ['timers', 'tasks', 'log_records'] as const) {
    expect(await partitionsOf(table)).toContain(dayPartitionName(table, Date.now() + 5 * DAY_MS));
  }
});

test('a row of a day ahead that waited in the default partition moves into the day partition when that is made', async () => {
  const ahead = Date.now() + 10 * DAY_MS;
  const id = idAt(ahead);
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, 'http://127.0.0.1:9/hook', now(), now())`, [id]);
  expect((await dbs.main.query(`SELECT tableoid::regclass::text AS p FROM timers WHERE id = $1`, [id])).rows).toEqual([{ p: 'timers_default' }]);
  expect(await ensureDayPartitions(dbs.main, 'timers', ahead, ahead + 1)).toEqual([dayPartitionName('timers', ahead)]);
  expect((await dbs.main.query(`SELECT tableoid::regclass::text AS p FROM timers WHERE id = $1`, [id])).rows).toEqual([{ p: dayPartitionName('timers', ahead) }]);
});

test('finished tasks past their retention go as timers do; access-log records go a day at a time past theirs', async () => {
  const at = Date.now() - 40 * DAY_MS;
  for (const table of ['tasks', 'log_records'] as const) await ensureDayPartitions(dbs.main, table, at, at + 1);
  const [oldTask, queuedTask, oldLog] = [idAt(at), idAt(at), idAt(at)];
  await dbs.main.query(
    `INSERT INTO tasks (id, type, args, state, max_attempts, timeout_ms, run_at, created_at, finished_at, expires_at)
     VALUES ($1, 'noop', '{}', 'succeeded', 1, 1000, now(), now(), now(), now() - interval '1 day'),
            ($2, 'noop', '{}', 'queued', 1, 1000, now(), now(), NULL, NULL)`,
    [oldTask, queuedTask],
  );
  await dbs.main.query(`INSERT INTO log_records (id, created, ip, method, uri, status_code) VALUES ($1, to_timestamp($2 / 1000.0), '127.0.0.1', 'GET', '/', 200)`, [oldLog, at]);
  const recentLog = idAt(Date.now());
  await dbs.main.query(`INSERT INTO log_records (id, created, ip, method, uri, status_code) VALUES ($1, now(), '127.0.0.1', 'GET', '/', 200)`, [recentLog]);

  await sweepOnce(dbs.main, options(), null);

  const tasks = await dbs.main.query<{ id: string }>('SELECT id FROM tasks');
  expect(tasks.rows).toEqual([{ id: queuedTask }]);
  const logs = await dbs.main.query<{ id: string }>('SELECT id FROM log_records');
  expect(logs.rows).toEqual([{ id: recentLog }]);
  expect(await partitionsOf('log_records')).not.toContain(dayPartitionName('log_records', at));
});

test('with an archive directory, what is removed is written there first: a dropped partition whole, deleted rows by the day', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-archive-'));
  try {
    const dropped = await timersOf(10, 7, 'delivered', `now() - interval '1 hour'`);
    const ahead = Date.now() + 30 * DAY_MS;
    // A row of the default partition (no day partition of its own) that expired.
    const stray = idAt(ahead);
    await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, state, expires_at) VALUES ($1, 'http://127.0.0.1:9/hook', now(), now(), 'cancelled', now() - interval '1 hour')`, [stray]);

    const report = await sweepOnce(dbs.main, options(), archiverOf(dbs.main, dir));

    const oldDay = dayPartitionName('timers', Date.now() - 10 * DAY_MS);
    expect(report.dropped).toContain(oldDay);
    const idsIn = (file: string) =>
      gunzipSync(readFileSync(join(dir, file)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(idsIn(`${oldDay}.jsonl.gz`).sort()).toEqual([...dropped].sort());
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(idsIn(`timers_default-${today}.jsonl.gz`)).toEqual([stray]);
    expect(await present([...dropped, stray])).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
