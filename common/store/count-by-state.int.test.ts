// Integration: the counts by state of the dashboard and the scrape-time gauge on tables holding a few
// hundred thousand retained rows (ten days of them, nearly all finished). Every pending timer and task is
// counted, of the finished ones only those created within the window; the plans read the partitions of
// older days through their state indexes, in ranges, never whole. Today's partition, much of it within
// the window, may be read whole.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { planReads } from '../../test/helpers/query-plan.js';
import { COUNT_TIMERS_BY_STATE_SQL, countByState as countTimers, countTimersByStateParams, TIMER_STATES } from './timers.js';
import { COUNT_TASKS_BY_STATE_SQL, countByState as countTasks, countTasksByStateParams, TASK_STATES } from './tasks.js';
import { FINISHED_WINDOW_MS } from './count-within.js';
import { DAY_MS, ensureDayPartitions, listPartitions } from './partitions.js';

const ROWS = 300_000;
const SPAN_MS = 10 * 86_400_000;
let dbs: TestDatabases;
const now = Date.now();
const since = now - FINISHED_WINDOW_MS;

// Row i is issued (and created) i * SPAN_MS / ROWS before now, its id a UUIDv7 of that instant.
const ISSUED = `(${now}::bigint - (i::bigint * ${SPAN_MS} / ${ROWS}))`;
const ID = `(lpad(to_hex(${ISSUED}), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid`;
const CREATED = `to_timestamp(${ISSUED} / 1000.0)`;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  for (const table of ['timers', 'tasks'] as const) await ensureDayPartitions(dbs.main, table, now - SPAN_MS - DAY_MS, now + DAY_MS);
  // One row in a hundred pending, as where retention keeps days of finished ones.
  const timerStates = `CASE i % 100 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'retrying' ELSE (ARRAY['delivered','delivered','failed','cancelled','skipped'])[1 + i % 5] END`;
  await dbs.main.query(
    `INSERT INTO timers (id, url, fire_at, created_at, state)
     SELECT ${ID}, 'https://example.com/hook', ${CREATED}, ${CREATED}, ${timerStates} FROM generate_series(1, ${ROWS}) AS i`,
  );
  const taskStates = `CASE i % 100 WHEN 0 THEN 'queued' WHEN 1 THEN 'held' ELSE (ARRAY['succeeded','succeeded','failed','cancelled'])[1 + i % 4] END`;
  await dbs.main.query(
    `INSERT INTO tasks (id, type, args, max_attempts, timeout_ms, run_at, created_at, state)
     SELECT ${ID}, 'noop', '{}'::jsonb, 1, 1000, ${CREATED}, ${CREATED}, ${taskStates} FROM generate_series(1, ${ROWS}) AS i`,
  );
  // A schedule's run task: its id derived (UUIDv5), created within the window.
  await dbs.main.query(
    `INSERT INTO tasks (id, type, args, max_attempts, timeout_ms, run_at, created_at, state) VALUES ('ffd0a2c4-1b2e-5c3d-9e4f-0a1b2c3d4e5f', 'noop', '{}', 1, 1000, now(), now(), 'succeeded')`,
  );
  await dbs.main.query('ANALYZE timers');
  await dbs.main.query('ANALYZE tasks');
}, 120_000);

afterAll(async () => {
  await dbs.drop();
});

/** What the counts must be: every row of a pending state, the rows of a finished one created since `since`. */
async function expected(table: 'timers' | 'tasks', pending: readonly string[], states: readonly string[]) {
  const { rows } = await dbs.main.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM ${table} WHERE state = ANY($1::text[]) OR created_at >= $2 GROUP BY state`, [
    pending,
    new Date(since),
  ]);
  return Object.fromEntries(states.map((state) => [state, rows.find((row) => row.state === state)?.n ?? 0]));
}

it('timers: every pending one, the finished ones created in the last hour', async () => {
  const counts = await countTimers(dbs.main, since, 30_000);
  expect(counts).toEqual(await expected('timers', ['scheduled', 'held', 'firing', 'retrying'], TIMER_STATES));
  // Ten days of rows, one of them within the window: the finished counts are about a tenth of the rows.
  expect(counts!.delivered).toBeLessThan(ROWS / 20);
  expect(counts!.scheduled).toBe(ROWS / 100);
});

it('tasks: every pending one, the finished ones created in the last hour, a schedule run task (UUIDv5) included', async () => {
  const counts = await countTasks(dbs.main, since, 30_000);
  expect(counts).toEqual(await expected('tasks', ['queued', 'running', 'held'], TASK_STATES));
  expect(counts!.queued).toBe(ROWS / 100);
  expect(counts!.succeeded).toBeLessThan(ROWS / 20);
});

it('the statements read the older days through index ranges, never a whole partition of them', async () => {
  for (const [table, sql, params] of [
    ['timers', COUNT_TIMERS_BY_STATE_SQL, countTimersByStateParams(since)],
    ['tasks', COUNT_TASKS_BY_STATE_SQL, countTasksByStateParams(since)],
  ] as const) {
    // The older days holding a whole day of rows (the first, partial day is small enough to be read whole).
    const days = (await listPartitions(dbs.main, table)).filter((p) => p.kind === 'day' && p.to! <= since).map((p) => p.name);
    const sizes = await dbs.main.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relname = ANY($1::text[]) AND reltuples >= 10000`, [days]);
    const older = sizes.rows.map((row) => row.name);
    expect(older.length).toBeGreaterThanOrEqual(9);
    const reads = await planReads(dbs.main, sql, params, { byPartition: true });
    expect(reads.seqScans.filter((name) => older.includes(name))).toEqual([]);
    // The pending half reads each older day through an index range; the finished half too (timers), or
    // not at all (tasks: its id range leaves those partitions out).
    for (const name of older) expect(reads.indexes.filter((index) => index.startsWith(`${name}_`)).length).toBe(table === 'timers' ? 2 : 1);
  }
});
