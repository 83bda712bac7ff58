// Integration: the trigger's outcome statement on a real main database: as PostgreSQL plans it, and the
// record of attempts it keeps.
import { createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.js';
import { planReads } from '../../../test/helpers/query-plan.js';
import { newTimerId } from '../../messages/timer-id.js';
import { RECORD_OUTCOMES_SQL, recordOutcomes, recordOutcomesParams, type Outcome } from './writes.js';
import type { AttemptEntry } from './rows.js';
import { ATTEMPT_BODY_MAX_BYTES, ATTEMPTS_WITH_RESPONSE } from '../../webhooks/callbacks.js';

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

test("only a timer's newest attempts keep the receiver's answer in their record, so a timer replayed many times keeps a bounded record", async () => {
  const id = newTimerId();
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, 'http://127.0.0.1:9/hook', now(), now())`, [id]);
  const response = { status: 500, headers: {}, body: 'x'.repeat(ATTEMPT_BODY_MAX_BYTES), body_encoding: 'utf8' as const, body_bytes: ATTEMPT_BODY_MAX_BYTES, body_truncated: false };
  const attempts = ATTEMPTS_WITH_RESPONSE + 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await dbs.main.query(`UPDATE timers SET state = 'firing', attempts = $2 WHERE id = $1`, [id, attempt]);
    const now = Date.now();
    await recordOutcomes(dbs.main, [{ id, attempt, series: 1, state: 'retrying', startedAt: now, finishedAt: now, status: 500, error: 'HTTP 500', nextAttemptAt: now + 1_000, response }]);
  }
  const log = (await dbs.main.query<{ attempt_log: AttemptEntry[] }>('SELECT attempt_log FROM timers WHERE id = $1', [id])).rows[0]!.attempt_log;
  expect(log.map((entry) => entry.attempt)).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
  expect(log.filter((entry) => entry.response).map((entry) => entry.attempt)).toEqual(Array.from({ length: ATTEMPTS_WITH_RESPONSE }, (_, i) => i + 6));
  expect(log.every((entry) => entry.status === 500)).toBe(true);
});
