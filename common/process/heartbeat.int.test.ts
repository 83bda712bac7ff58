// Integration: a process's heartbeat row in the real main database: written at start and refreshed,
// deleted on a graceful stop, and a database that cannot be written to is only a warning.
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { createPool } from '../db/pool.js';
import { startHeartbeat } from './heartbeat.js';
import { heartbeats } from '../store/heartbeats.js';
import { Shutdown } from './shutdown.js';

let dbs: TestDatabases;
beforeAll(async () => {
  dbs = await createTestDatabases(1);
});
afterAll(async () => {
  await dbs.drop();
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a process beats at once and again each interval with its stats, and its row goes on a graceful stop', async () => {
  const shutdown = new Shutdown(silentLogger(), 5_000);
  let n = 0;
  const mine = startHeartbeat({ db: dbs.main, type: 'trigger', intervalMs: 100, log: silentLogger(), stats: () => ({ n: ++n }) }, shutdown);
  const first = await until(
    () => heartbeats(dbs.main, 10),
    (rows) => rows.length === 1,
  );
  expect(first[0]).toMatchObject({ process_id: mine.process_id, type: 'trigger', pid: process.pid });
  const later = await until(
    () => heartbeats(dbs.main, 10),
    (rows) => (rows[0]?.stats.n as number) >= 3,
  );
  expect(later[0]!.last_seen_at.getTime()).toBeGreaterThan(first[0]!.last_seen_at.getTime());
  await shutdown.stop();
  expect(await heartbeats(dbs.main, 10)).toEqual([]);
});

test('rows not seen for an hour are pruned by the next beat of any process', async () => {
  await dbs.main.query(
    `INSERT INTO process_heartbeats (process_id, type, hostname, pid, started_at, last_seen_at) VALUES
       ('old', 'worker', 'h', 1, now() - interval '2 hours', now() - interval '61 minutes'),
       ('recent', 'worker', 'h', 2, now() - interval '2 hours', now() - interval '59 minutes')`,
  );
  const shutdown = new Shutdown(silentLogger(), 5_000);
  const mine = startHeartbeat({ db: dbs.main, type: 'consumer', intervalMs: 60_000, log: silentLogger() }, shutdown);
  const rows = await until(
    () => heartbeats(dbs.main, 10),
    (found) => found.some((row) => row.process_id === mine.process_id),
  );
  expect(rows.map((row) => row.process_id).sort()).toEqual([mine.process_id, 'recent'].sort());
  await shutdown.stop();
  await dbs.main.query('DELETE FROM process_heartbeats');
});

test('a heartbeat that cannot be written is a warning, never a crash, and is tried again', async () => {
  // A database that does not exist: every connection attempt fails.
  const broken = createPool(dbs.mainUrl.replace(/\/[^/]+$/, '/no_such_database_for_heartbeats'), 'timer-test', 1, silentLogger());
  const log = silentLogger();
  const warn = jest.spyOn(log, 'warn');
  const shutdown = new Shutdown(log, 5_000);
  startHeartbeat({ db: broken, type: 'worker', intervalMs: 50, log }, shutdown);
  await until(
    async () => warn.mock.calls.length,
    (calls) => calls >= 1,
  );
  expect(String(warn.mock.calls[0]![1])).toMatch(/could not write the heartbeat/);
  await shutdown.stop(); // the delete fails too: the shutdown step logs it, nothing throws
  await broken.end();
});
