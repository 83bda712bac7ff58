// Integration: the due-soon signal of a timer-db shard on real PostgreSQL: a write of a row due within
// the look-ahead reaches a listener, a row due later does not signal, and a listener whose connection
// dies listens again.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { newTimerId } from '../messages/timer-id.js';
import { listenDueSoon, type DueSoonListener } from './due-soon.js';
import { fireAllAgain, insertTimersToFire } from './timers-to-fire.js';

let dbs: TestDatabases;
let listener: DueSoonListener | null = null;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  listener?.stop();
  listener = null;
  await dbs.drop();
});

/** Listens on the shard; hands out, in order, the signals (an instant) and the starts of listening (null). */
function listen() {
  const events: Array<number | null> = [];
  const waiters: Array<() => void> = [];
  listener = listenDueSoon(
    dbs.shards[0]!,
    (earliest) => {
      events.push(earliest);
      waiters.splice(0).forEach((wake) => wake());
    },
    silentLogger(),
  );
  const next = async (): Promise<number | null> => {
    while (events.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return events.shift()!;
  };
  return { next };
}

const timer = (fireAt: number) => ({ id: newTimerId(), url: 'http://127.0.0.1:9/hook', fire_at: fireAt, created_at: Date.now() });

test('a timer stored due within the look-ahead signals the pollers with its instant; one due later does not', async () => {
  const { next } = listen();
  expect(await next()).toBeNull();
  const now = Date.now();
  // The later timer is written first: had it signalled, its signal would come first.
  await insertTimersToFire(dbs.shards, [timer(now + 60_000)], 2_000);
  const soon = now + 500;
  await insertTimersToFire(dbs.shards, [timer(now + 1_500), timer(soon)], 2_000);
  expect(await next()).toBe(soon);
});

test('a put-back due soon signals too (a retry, a deferral)', async () => {
  const { next } = listen();
  expect(await next()).toBeNull();
  const at = Date.now() + 1_000;
  await fireAllAgain(dbs.shards, [{ id: newTimerId(), url: 'http://127.0.0.1:9/hook', at: Date.now() + 600_000 }], 2_000);
  await fireAllAgain(dbs.shards, [{ id: newTimerId(), url: 'http://127.0.0.1:9/hook', at }], 2_000);
  expect(await next()).toBe(at);
});

test('a listener whose connection is terminated listens again and hears the next signal', async () => {
  const { next } = listen();
  expect(await next()).toBeNull();
  await dbs.shards[0]!.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
  expect(await next()).toBeNull();
  const soon = Date.now() + 300;
  await insertTimersToFire(dbs.shards, [timer(soon)], 2_000);
  expect(await next()).toBe(soon);
});
