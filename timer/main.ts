// The timer (poller) process: timer-db shards -> in-memory schedule -> timers_to_fire at the due instant.
import { nanoid } from 'nanoid';
import { hostname } from 'node:os';
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { AmqpClient } from '../common/broker/amqp.js';
import { queueNames } from '../common/broker/queue-names.js';
import { createPool } from '../common/db/pool.js';
import { DueSchedule } from './due-schedule.js';
import { ShardPoller } from './shard-poller.js';
import { DueTimerFirer, type HeldTimer } from './fire-due.js';
import { releaseClaims } from './claim-due.js';
import { watchQueues } from '../common/observability/metrics.js';
import { startHeartbeat } from '../common/process/heartbeat.js';

// Upper bound on timers held in memory at once (about 200 bytes each).
const MAX_HELD = 200_000;

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const owner = `${hostname()}:${process.pid}:${nanoid(8)}`;
  const shards = config.SHARD_DB_URLS.map((url) => createPool(url, 'timer-poller', Math.min(config.DB_POOL_MAX, 4), log));
  // The main database only for the heartbeat (the dashboard's processes alive): a poller's work is on the shards.
  const mainDb = createPool(config.MAIN_DB_URL, 'timer-poller', 1, log);
  shutdown.add('databases', async () => {
    await Promise.all([mainDb.end(), ...shards.map((shard) => shard.end())]);
  });
  startHeartbeat({ db: mainDb, type: 'timer', intervalMs: config.HEARTBEAT_INTERVAL_MS, log }, shutdown);
  const amqp = new AmqpClient(config.AMQP_URL, queueNames(config.QUEUE_PREFIX), log, config.PUBLISH_CONFIRM_TIMEOUT_MS, `timer-timer-${process.pid}`);
  shutdown.add('broker', () => amqp.close());
  await amqp.start();

  const firer = new DueTimerFirer(amqp, shards, owner, (timers) => schedule.add(timers), log);
  const schedule: DueSchedule<HeldTimer> = new DueSchedule<HeldTimer>((due) => firer.fire(due), Date.now, config.POLLER_PUBLISH_AHEAD_MS, config.POLLER_PUBLISH_WINDOW_MS);
  const settings = {
    owner,
    intervalMs: config.POLLER_INTERVAL_MS,
    lookaheadMs: config.POLLER_LOOKAHEAD_MS,
    leaseMs: config.POLLER_LEASE_MS,
    claimLimit: config.POLLER_CLAIM_LIMIT,
    maxHeld: MAX_HELD,
  };
  const pollers = shards.map(
    (pool, shard) =>
      new ShardPoller(shard, pool, settings, () => schedule.size, (i, timers) => schedule.add(timers.map((t) => ({ ...t, shard: i }))), log),
  );

  shutdown.add('release held claims', async () => {
    const held = schedule.drain();
    await firer.idle();
    await Promise.all(
      shards.map(async (pool, shard) => {
        const ids = held.filter((t) => t.shard === shard).map((t) => t.id);
        if (ids.length > 0) await releaseClaims(pool, ids, owner);
      }),
    );
    log.info({ released: held.length }, 'released claims of held timers');
  });
  shutdown.add('pollers', async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
  });
  watchQueues(amqp, { timers_to_fire: amqp.names.timersToFire });
  for (const poller of pollers) poller.start();
  log.info({ owner, shards: shards.length }, 'timer poller started');
  void amqp.waitForConnect().then(() => announceReady(log));
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('timer');
main(context).catch(exitOnFatal(context.log));
