// Integration: every statement that finishes a timer or a task sets its expires_at, from its own
// retention_s or the session's configured retention of its outcome; a revived one is pending again.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { createPool, type Pool } from '../db/pool.js';
import { newTimerId } from '../messages/timer-id.js';
import { RETENTION_DEFAULTS_S, retentionSessionOptions } from './expiry.js';
import { cancelTimer, markReplayed, recordOutcomes, skipRuns, type Outcome } from './timers/writes.js';
import { cancelTask, finishTasks, insertTasks, startTasks } from './tasks.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

async function firingTimer(retention: number | null = null): Promise<string> {
  const id = newTimerId();
  await dbs.main.query(
    `INSERT INTO timers (id, url, fire_at, created_at, state, attempts, claim_expires_at, retention_s)
     VALUES ($1, 'http://127.0.0.1:9/hook', now(), now(), 'firing', 1, now() + interval '1 minute', $2)`,
    [id, retention],
  );
  return id;
}

const outcome = (id: string, state: Outcome['state'], finishedAt: number): Outcome => ({
  id,
  attempt: 1,
  series: 1,
  state,
  startedAt: finishedAt - 5,
  finishedAt,
  status: state === 'delivered' ? 200 : 500,
  error: state === 'delivered' ? null : 'HTTP 500',
  nextAttemptAt: state === 'retrying' ? finishedAt + 1_000 : null,
});

/** Runs work on one client in a transaction, rolled back: its statements share one now(). */
async function inOneTransaction<T>(pool: Pool, work: (client: Pool) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    return await work(client as unknown as Pool);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** expires_at - the instant given, in seconds; null while pending. */
async function expiresAfter(table: 'timers' | 'tasks', id: string, fromColumn: string): Promise<number | null> {
  const { rows } = await dbs.main.query<{ s: string | null }>(`SELECT extract(epoch FROM expires_at - ${fromColumn}) AS s FROM ${table} WHERE id = $1`, [id]);
  return rows[0]!.s === null ? null : Number(rows[0]!.s);
}

test("a timer's outcome sets expires_at: its delivery plus the delivered retention, its failure plus the failed one, its own retention_s over either; a retry leaves it pending", async () => {
  const finishedAt = Date.now();
  const [delivered, failed, own, retrying] = [await firingTimer(), await firingTimer(), await firingTimer(120), await firingTimer()];
  await recordOutcomes(dbs.main, [outcome(delivered, 'delivered', finishedAt), outcome(failed, 'failed', finishedAt), outcome(own, 'failed', finishedAt), outcome(retrying, 'retrying', finishedAt)]);
  expect(await expiresAfter('timers', delivered, 'delivered_at')).toBe(RETENTION_DEFAULTS_S.delivered);
  expect(await expiresAfter('timers', failed, 'last_attempt_at')).toBeCloseTo(RETENTION_DEFAULTS_S.failed + 0.005, 6);
  expect(await expiresAfter('timers', own, 'last_attempt_at')).toBeCloseTo(120.005, 6);
  expect(await expiresAfter('timers', retrying, 'now()')).toBeNull();

  // A replay makes the failed one pending again.
  await markReplayed(dbs.main, [failed], Date.now());
  expect(await expiresAfter('timers', failed, 'now()')).toBeNull();
});

test('the retentions a process is configured with come with its database sessions', async () => {
  const configured: Pool = createPool(dbs.mainUrl, 'timer-test', 1, silentLogger(), retentionSessionOptions({ delivered: 3_600, cancelled: 600, failed: 86_400, succeeded: 1_800 }));
  try {
    const id = await firingTimer();
    const finishedAt = Date.now();
    await recordOutcomes(configured, [outcome(id, 'delivered', finishedAt)]);
    expect(await expiresAfter('timers', id, 'delivered_at')).toBe(3_600);
    const pending = newTimerId();
    await configured.query(`INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, 'http://127.0.0.1:9/hook', now() + interval '1 hour', now())`, [pending]);
    // In one transaction, now() is the cancel's own instant.
    expect(
      await inOneTransaction(configured, async (client) => {
        await cancelTimer(client, pending);
        return (await client.query<{ s: string }>(`SELECT extract(epoch FROM expires_at - now()) AS s FROM timers WHERE id = $1`, [pending])).rows[0]!.s;
      }),
    ).toBe('600.000000');
  } finally {
    await configured.end();
  }
});

test('a skipped run is kept as long as a cancelled timer', async () => {
  const id = await firingTimer();
  const row = await inOneTransaction(dbs.main, async (client) => {
    await skipRuns(client, [{ id, attempt: 1, reason: 'overlap' }]);
    return (await client.query<{ state: string; s: string }>(`SELECT state, extract(epoch FROM expires_at - now()) AS s FROM timers WHERE id = $1`, [id])).rows[0]!;
  });
  expect(row).toEqual({ state: 'skipped', s: `${RETENTION_DEFAULTS_S.cancelled}.000000` });
});

test("a task's finish sets expires_at from its finish: succeeded, failed, cancelled, its own retention_s over them", async () => {
  const now = Date.now();
  const ids = [newTimerId(), newTimerId(), newTimerId(), newTimerId()];
  await insertTasks(
    dbs.main,
    ids.map((id, i) => ({ id, type: 'noop', args: {}, max_attempts: 3, timeout_ms: 1_000, run_at: now, created_at: now, retention_s: i === 2 ? 900 : null })),
  );
  await startTasks(dbs.main, ids.slice(0, 3), 'worker-1');
  await finishTasks(dbs.main, [
    { id: ids[0]!, attempt: 1, state: 'succeeded', result: 1 },
    { id: ids[1]!, attempt: 1, state: 'failed', error: 'no' },
    { id: ids[2]!, attempt: 1, state: 'failed', error: 'no' },
  ]);
  await cancelTask(dbs.main, ids[3]!);
  expect(await expiresAfter('tasks', ids[0]!, 'finished_at')).toBe(RETENTION_DEFAULTS_S.succeeded);
  expect(await expiresAfter('tasks', ids[1]!, 'finished_at')).toBe(RETENTION_DEFAULTS_S.failed);
  expect(await expiresAfter('tasks', ids[2]!, 'finished_at')).toBe(900);
  expect(await expiresAfter('tasks', ids[3]!, 'finished_at')).toBe(RETENTION_DEFAULTS_S.cancelled);
});
