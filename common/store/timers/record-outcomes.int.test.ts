// Integration: the trigger's outcome statement on a real main database, as PostgreSQL plans it.
import { createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.js';
import { planReads } from '../../../test/helpers/query-plan.js';
import { newTimerId } from '../../messages/timer-id.js';
import { RECORD_OUTCOMES_SQL, recordOutcomesParams, type Outcome } from './writes.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

test("recording a batch's outcomes reads those timers through the primary key, however many are firing and whatever the statistics say", async () => {
  // Statistics taken while nothing was firing, then a burst's claims: 20,000 rows in 'firing'.
  await dbs.main.query('ANALYZE timers');
  const ids = Array.from({ length: 20_000 }, () => newTimerId());
  await dbs.main.query(
    `INSERT INTO timers (id, url, fire_at, created_at, state, attempts, claim_expires_at)
     SELECT id, 'http://127.0.0.1:9/hook', now(), now(), 'firing', 1, now() + interval '1 minute' FROM unnest($1::uuid[]) AS t(id)`,
    [ids],
  );
  const now = Date.now();
  const outcomes = ids.slice(0, 60).map((id): Outcome => ({ id, attempt: 1, series: 1, state: 'delivered', startedAt: now, finishedAt: now + 1, status: 200, error: null, nextAttemptAt: null }));
  const reads = () => planReads(dbs.main, RECORD_OUTCOMES_SQL, recordOutcomesParams(outcomes));
  const byPrimaryKey = { seqScans: [], indexes: ['timers_pkey'] };
  expect(await reads()).toEqual(byPrimaryKey);
  await dbs.main.query('ANALYZE timers');
  expect(await reads()).toEqual(byPrimaryKey);
});
