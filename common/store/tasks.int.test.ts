// Integration: the worker's start and finish statements (and the one of a pure task run before its claim) on
// a real main database, as PostgreSQL plans them.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { planReads } from '../../test/helpers/query-plan.js';
import { newTimerId } from '../messages/timer-id.js';
import { FINISH_TASKS_SQL, FINISH_UNCLAIMED_SQL, finishTasksParams, insertTasks, START_TASKS_SQL } from './tasks.js';

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
  });
  const byPrimaryKey = { seqScans: [], indexes: ['tasks_pkey'] };
  // A held task's start also asks whether its type is still paused, by the pauses' primary key.
  const start = { seqScans: [], indexes: ['tasks_pkey', 'task_type_pauses_pkey'] };
  expect(await reads()).toEqual({ start, finish: byPrimaryKey, unclaimed: byPrimaryKey });
  await main.query('ANALYZE tasks');
  expect(await reads()).toEqual({ start, finish: byPrimaryKey, unclaimed: byPrimaryKey });
});
