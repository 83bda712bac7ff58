// Integration: the counts by state of the dashboard and the scrape-time gauge on tables holding a few
// hundred thousand retained rows (ten days of them, nearly all finished). Every pending timer and task is
// counted, of the finished ones only those created within the window; the plans read the partitions of
// older days (here the history partition) through their state indexes, in ranges, never whole. Today's
// partition, all of it within the window, may be read whole.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { planReads } from '../../test/helpers/query-plan.js';
import { COUNT_TIMERS_BY_STATE_SQL, countByState as countTimers, countTimersByStateParams, TIMER_STATES } from './timers.js';
import { COUNT_TASKS_BY_STATE_SQL, countByState as countTasks, countTasksByStateParams, TASK_STATES } from './tasks.js';
import { FINISHED_WINDOW_MS } from './count-within.js';

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

it('timers: every pending one, the finished ones created in the last 24 hours', async () => {
  const counts = await countTimers(dbs.main, since, 30_000);
  expect(counts).toEqual(await expected('timers', ['scheduled', 'held', 'firing', 'retrying'], TIMER_STATES));
  // Ten days of rows, one of them within the window: the finished counts are about a tenth of the rows.
  expect(counts!.delivered).toBeLessThan(ROWS / 20);
  expect(counts!.scheduled).toBe(ROWS / 100);
});

it('tasks: every pending one, the finished ones created in the last 24 hours, a schedule run task (UUIDv5) included', async () => {
  const counts = await countTasks(dbs.main, since, 30_000);
  expect(counts).toEqual(await expected('tasks', ['queued', 'running', 'held'], TASK_STATES));
  expect(counts!.queued).toBe(ROWS / 100);
  expect(counts!.succeeded).toBeLessThan(ROWS / 20);
});

it('the statements read the older rows through index ranges, never a whole partition of them', async () => {
  const timers = await planReads(dbs.main, COUNT_TIMERS_BY_STATE_SQL, countTimersByStateParams(since));
  expect(timers.seqScans).not.toContain('timers_history');
  // Each half reads the old rows through an index: the pending states' range, the window's.
  expect(timers.indexes.filter((name) => name.startsWith('timers_history'))).toHaveLength(2);
  const tasks = await planReads(dbs.main, COUNT_TASKS_BY_STATE_SQL, countTasksByStateParams(since));
  expect(tasks.seqScans).not.toContain('tasks_history');
  expect(tasks.indexes.filter((name) => name.startsWith('tasks_history'))).toHaveLength(2);
});
