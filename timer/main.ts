// timer: the due-time poller; any number of replicas.
// Reads and claims: the timers_to_fire rows of every timer-db shard that enter the look-ahead window
//   (SKIP LOCKED and a lease), held in memory until their due instant.
// Publishes: due timers to the timers_to_fire queue, on the broker's confirm.
// Writes: deletes a shard row once the broker holds it; gives unpublished claims back at shutdown;
//   its process_heartbeats row (its only use of the main database).
// Consumes no queue; calls no service over HTTP.
// The timer (poller) process: timer-db shards -> in-memory schedule -> timers_to_fire at the due instant.
import { nanoid } from 'nanoid';
import { hostname } from 'node:os';
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { openPipeline } from '../common/process/pipeline.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { DueSchedule } from './due-schedule.js';
import { ShardPoller } from './shard-poller.js';
import { DueTimerFirer, type HeldTimer } from './fire-due.js';
import { LeadTime } from './lead-time.js';
import { releaseClaims } from '../common/store/timers-to-fire.js';
import { listenDueSoon } from '../common/store/due-soon.js';
import { metrics, watchQueues } from '../common/observability/metrics.js';

// Upper bound on timers held in memory at once (about 200 bytes each).
const MAX_HELD = 200_000;

async function main(context: ProcessContext): Promise<void> {
  const { config, log, shutdown } = context;
  const owner = `${hostname()}:${process.pid}:${nanoid(8)}`;
  // The main database only for the heartbeat (the dashboard's processes alive): a poller's work is on the shards.
  const { shards, amqp } = openPipeline(context, { type: 'timer', mainPoolMax: 1, shardPoolMax: Math.min(config.DB_POOL_MAX, 4) + 1 });
  await amqp.start();

  // The lead follows the poller's half of the trip to the trigger, between POLLER_PUBLISH_AHEAD_MS and
  // POLLER_PUBLISH_AHEAD_MAX_MS (never more than the look-ahead: a timer is held no longer than that).
  const lead = new LeadTime({
    baseMs: config.POLLER_PUBLISH_AHEAD_MS,
    maxMs: Math.min(config.POLLER_LOOKAHEAD_MS, Math.max(config.POLLER_PUBLISH_AHEAD_MS, config.POLLER_PUBLISH_AHEAD_MAX_MS)),
  });
  const onConfirmed = (plannedAt: number, confirmedAt: number) => {
    const before = lead.ms;
    lead.observe(plannedAt, confirmedAt);
    metrics.publishLead.set(lead.ms / 1000);
    if (lead.ms > before) schedule.rearm();
  };
  const firer = new DueTimerFirer(amqp, shards, owner, (timers) => schedule.add(timers), log, onConfirmed);
  const schedule: DueSchedule<HeldTimer> = new DueSchedule<HeldTimer>(
    (due, plannedAt) => firer.fire(due, plannedAt),
    Date.now,
    () => lead.ms,
    config.POLLER_PUBLISH_WINDOW_MS,
  );
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
      new ShardPoller(
        shard,
        pool,
        settings,
        () => schedule.size,
        (i, timers) => schedule.add(timers.map((t) => ({ ...t, shard: i }))),
        log,
      ),
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
  // Writers signal rows due within the look-ahead, so that a timer due at once does not wait for the next poll.
  const listeners = shards.map((pool, shard) => listenDueSoon(pool, () => pollers[shard]!.signal(), log));
  shutdown.add('pollers', async () => {
    for (const listener of listeners) listener.stop();
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
