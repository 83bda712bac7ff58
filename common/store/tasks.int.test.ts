// Integration: the worker's start and finish statements (and the one of a pure task run before its claim, and
// the read of finished tasks whose outcome is told again) on a real main database, as PostgreSQL plans them;
// a retry's series.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { planReads } from '../../test/helpers/query-plan.js';
import { newTimerId } from '../messages/timer-id.js';
import { findTask, FINISH_TASKS_SQL, FINISH_UNCLAIMED_SQL, FINISHED_WITH_CALLBACKS_SQL, finishTasksParams, insertTasks, retryTask, START_TASKS_SQL } from './tasks.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

test('starting and finishing a batch of tasks reads those tasks through the primary key, however many are queued or running and whatever the statistics say', async () => {
  const main = dbs.main;
  // Statistics taken while the table was empty, then a wave of submissions.
  await main.query('ANALYZE tasks');
  const now = Date.now();
  const ids = Array.from({ length: 20_000 }, () => newTimerId());
  await insertTasks(
    main,
    ids.map((id) => ({ id, type: 'noop', args: {}, max_attempts: 3, timeout_ms: 1_000, run_at: now, created_at: now })),
  );
  await main.query(`UPDATE tasks SET state = 'running', attempts = 1 WHERE id = ANY($1::uuid[])`, [ids.slice(10_000)]);
  const batch = ids.slice(0, 30);
  const running = ids.slice(10_000, 10_030);
  const reads = async () => ({
    start: await planReads(main, START_TASKS_SQL, [batch, 'worker:1']),
    finish: await planReads(main, FINISH_TASKS_SQL, finishTasksParams(running.map((id) => ({ id, attempt: 1, state: 'succeeded', result: null })))),
    unclaimed: await planReads(main, FINISH_UNCLAIMED_SQL, [batch, batch.map(() => 'succeeded'), batch.map(() => 'null'), batch.map(() => null), 'worker:1']),
    told: await planReads(main, FINISHED_WITH_CALLBACKS_SQL, [batch]),
  });
  const byPrimaryKey = { seqScans: [], indexes: ['tasks_pkey'] };
  // A held task's start also asks whether its type is still paused, by the pauses' primary key.
  const start = { seqScans: [], indexes: ['tasks_pkey', 'task_type_pauses_pkey'] };
  expect(await reads()).toEqual({ start, finish: byPrimaryKey, unclaimed: byPrimaryKey, told: byPrimaryKey });
  await main.query('ANALYZE tasks');
  expect(await reads()).toEqual({ start, finish: byPrimaryKey, unclaimed: byPrimaryKey, told: byPrimaryKey });
});

test("a retry starts the task's next series, and a refused one leaves the failed run's series as it was", async () => {
  const id = newTimerId();
  const now = Date.now();
  await insertTasks(dbs.main, [{ id, type: 'noop', args: {}, max_attempts: 1, timeout_ms: 1_000, run_at: now, created_at: now, result_url: 'https://example.com/r' }]);
  const fail = () => dbs.main.query(`UPDATE tasks SET state = 'failed', attempts = 1, error = 'no' WHERE id = $1`, [id]);
  await fail();
  expect(await findTask(dbs.main, id)).toMatchObject({ series: 1, result_url: 'https://example.com/r' });
  await expect(retryTask(dbs.main, id, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  expect(await findTask(dbs.main, id)).toMatchObject({ state: 'failed', series: 1, attempts: 1 });
  expect(await retryTask(dbs.main, id, () => Promise.resolve())).toMatchObject({ kind: 'retried', task: { state: 'queued', series: 2, attempts: 0 } });
});
