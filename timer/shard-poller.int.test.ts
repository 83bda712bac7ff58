// Integration: a poller firing due timers from a real timer-db shard through RabbitMQ.
import { dueTimersMessage, timersOf } from '../common/messages/timer-message.js';
import { decodeMessage } from '../common/messages/decode.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { takeAll, useTestBroker } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { claimDue } from '../common/store/timers-to-fire.js';
import { DueSchedule } from './due-schedule.js';
import { DUE_MESSAGE_MAX, DueTimerFirer, type HeldTimer } from './fire-due.js';
import { ShardPoller } from './shard-poller.js';
import { insertDue as insertDueRows } from '../test/helpers/due-rows.js';

let dbs: TestDatabases;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
});

afterEach(async () => {
  await dbs.drop();
});

const insertDue = (count: number, fireAt: (i: number) => number) => insertDueRows(dbs.shards[0]!, count, fireAt);

describe('with a broker', () => {
  const broker = useTestBroker();

  test('a poller publishes each timer at or after its due instant, never before, then deletes its row', async () => {
    const start = Date.now();
    const ids = await insertDue(200, (i) => start + 300 + i * 3);
    const fireAt = new Map<string, number>();
    const published: Array<{ id: string; at: number }> = [];
    let messages = 0;
    const allPublished = new Promise<void>((resolve) => {
      void broker.client.consume(broker.client.names.timersToFire, 500, (message, channel) => {
        messages++;
        for (const timer of timersOf(decodeMessage(dueTimersMessage, message.content))) {
          published.push({ id: timer.id, at: Date.now() });
          fireAt.set(timer.id, timer.fire_at);
        }
        channel.ack(message);
        if (published.length === ids.length) resolve();
      });
    });
    const log = silentLogger();
    const firer = new DueTimerFirer(broker.client, dbs.shards, 'p1', (t) => schedule.add(t), log);
    const schedule: DueSchedule<HeldTimer> = new DueSchedule<HeldTimer>((due) => firer.fire(due));
    const settings = { owner: 'p1', intervalMs: 50, lookaheadMs: 1_000, leaseMs: 30_000, claimLimit: 1_000, maxHeld: 10_000 };
    const poller = new ShardPoller(
      0,
      dbs.shards[0]!,
      settings,
      () => schedule.size,
      (s, rows) => schedule.add(rows.map((r) => ({ ...r, shard: s }))),
      log,
    );
    poller.start();
    await allPublished;
    await poller.stop();
    await firer.idle();

    expect(published.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect(messages).toBeLessThanOrEqual(ids.length);
    for (const p of published) expect(p.at).toBeGreaterThanOrEqual(fireAt.get(p.id)!);
    expect((await dbs.shards[0]!.query('SELECT count(*)::int AS n FROM timers_to_fire')).rows[0].n).toBe(0);
  });

  test('timers falling due together go as messages of up to DUE_MESSAGE_MAX timers, each timer once, and their rows are deleted', async () => {
    const now = Date.now();
    const ids = await insertDue(250, () => now - 1_000);
    const claimed = await claimDue(dbs.shards[0]!, { now, horizon: now, leaseUntil: now + 30_000, owner: 'p1', limit: 1_000 });
    const firer = new DueTimerFirer(broker.client, dbs.shards, 'p1', () => undefined, silentLogger());
    firer.fire(claimed.map((t) => ({ ...t, shard: 0 })));
    await firer.idle();
    const messages = (await takeAll(broker.client.names.timersToFire)).map((body) => timersOf(decodeMessage(dueTimersMessage, body)));
    const sizes = messages.map((carried) => carried.length);
    const timers = messages.flat().map((t) => t.id);
    expect(sizes.sort((a, b) => b - a)).toEqual([DUE_MESSAGE_MAX, DUE_MESSAGE_MAX, 250 - 2 * DUE_MESSAGE_MAX]);
    expect(timers.sort()).toEqual([...ids].sort());
    expect((await dbs.shards[0]!.query('SELECT count(*)::int AS n FROM timers_to_fire')).rows[0].n).toBe(0);
  });
});

test('a signalled poller claims at once, without waiting for its next poll', async () => {
  const claims: string[][] = [];
  const waiters: Array<() => void> = [];
  const claimed = (count: number) => new Promise<void>((resolve) => (claims.length >= count ? resolve() : waiters.push(resolve)));
  // An interval far longer than the test: only the signal can make it claim the second row.
  const settings = { owner: 'p1', intervalMs: 600_000, lookaheadMs: 2_000, leaseMs: 630_000, claimLimit: 1_000, maxHeld: 10_000 };
  const poller = new ShardPoller(
    0,
    dbs.shards[0]!,
    settings,
    () => 0,
    (_shard, rows) => {
      claims.push(rows.map((r) => r.id));
      waiters.splice(0).forEach((wake) => wake());
    },
    silentLogger(),
  );
  const first = await insertDue(1, () => Date.now());
  poller.start();
  await claimed(1);
  const second = await insertDue(1, () => Date.now() + 500);
  poller.signal();
  await claimed(2);
  await poller.stop();
  expect(claims).toEqual([first, second]);
});
