// trigger: fires due timers; any number of replicas.
// Consumes: timers_to_fire (one due timer, or a poller's batch).
// Writes: timers in the main database (claims each attempt once by a conditional update, records its
//   outcome; a schedule's next run, materialised when its run fires, and the schedule's chain head); timers_to_fire rows in the shards for a retry or a deferred timer; its
//   process_heartbeats row with lateness figures.
// Publishes: a due task (a timer whose url is task:<id>) to the tasks queue; an undecodable message
//   to timers_to_fire.dead.
// Calls: each timer's callback URL (POST {"id"} or the timer's own request), signed when
//   WEBHOOK_SIGNING_SECRETS is set; never a loopback, private or metadata address unless allowed.
// The trigger process: timers_to_fire -> claim in the main database -> POST the callback URL.
import { startProcess, type ProcessContext } from '../common/process/start.js';
import { consumeQueues, openPipeline } from '../common/process/pipeline.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { createAgents } from './deliver-webhook.js';
import { dueTimerHandler } from './handle-due.js';
import { HostLimiter } from './host-limiter.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { AddressPolicy } from '../common/webhooks/callback-address.js';
import { webhookSigner } from './sign-webhook.js';
import { watchQueues } from '../common/observability/metrics.js';
import { latenessStats } from './attempt-metrics.js';
import { repairStrandedSchedules } from './repair-schedules.js';
import { shareHostLimits } from './host-shares.js';

async function main(context: ProcessContext): Promise<void> {
  const { config, log, shutdown } = context;
  const { mainDb, shards, amqp } = openPipeline(context, { type: 'trigger', shardPoolMax: 2, heartbeatStats: latenessStats });
  const policy = new AddressPolicy(config.WEBHOOK_ALLOWED_CIDRS);
  if (config.WEBHOOK_SIGNING_SECRETS.length === 0) log.warn('WEBHOOK_SIGNING_SECRETS is not set: webhooks are sent unsigned');
  else log.info({ secrets: config.WEBHOOK_SIGNING_SECRETS.length }, 'webhooks are signed (Standard Webhooks)');
  const agents = createAgents(config.WEBHOOK_MAX_SOCKETS_PER_HOST, policy, webhookSigner(config.WEBHOOK_SIGNING_SECRETS));
  shutdown.add('http agents', () => agents.destroy());
  // A busy host that keeps answering may fill the whole prefetch window (a burst to one receiver
  // drains without detours). Once it stalls (WEBHOOK_HOST_STALL_MS without an answer), it holds at
  // most half the window, in flight and waiting; its further timers are deferred, so a hanging host
  // never takes the window from the others.
  const perHost = Math.max(1, Math.floor(config.TRIGGER_PREFETCH / 2));
  const concurrency = Math.min(config.WEBHOOK_HOST_CONCURRENCY, perHost);
  const hosts = new HostLimiter({
    concurrency,
    ratePerSecond: config.WEBHOOK_HOST_RATE_PER_S,
    maxWaiting: perHost - concurrency,
    stallMs: config.WEBHOOK_HOST_STALL_MS,
  });
  // The configured per-host limits are the deployment's: this trigger keeps its share of them.
  shutdown.add(
    'per-host share',
    shareHostLimits(hosts, mainDb, { concurrency: config.WEBHOOK_HOST_CONCURRENCY, ratePerSecond: config.WEBHOOK_HOST_RATE_PER_S }, perHost, config.HEARTBEAT_INTERVAL_MS, log),
  );
  const delivery = {
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: config.WEBHOOK_RETRY_BACKOFF_MS,
    maxBackoffMs: config.WEBHOOK_RETRY_MAX_BACKOFF_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  };
  const due = dueTimerHandler({
    main: mainDb,
    shards,
    agents,
    hosts,
    delivery,
    deadLetter: deadLetterer(amqp, log),
    log,
    now: Date.now,
    amqp,
    dueSoonMs: config.POLLER_LOOKAHEAD_MS,
    scheduleMissedAfterMs: config.SCHEDULE_MISSED_AFTER_MS,
  });
  shutdown.add('flow-control sweeps', due.stop);
  shutdown.add('schedule repair sweep', repairStrandedSchedules({ main: mainDb, shards, dueSoonMs: config.POLLER_LOOKAHEAD_MS }, log));
  watchQueues(amqp, { timers_to_fire: amqp.names.timersToFire });
  await consumeQueues(context, amqp, [
    // Half the shutdown deadline for webhooks to finish; the rest are cut, recorded and handed back.
    { name: 'in-flight webhooks', queue: amqp.names.timersToFire, prefetch: config.TRIGGER_PREFETCH, handle: due.handle, drain: () => due.drain(config.SHUTDOWN_TIMEOUT_MS / 2) },
  ]);
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('trigger');
main(context).catch(exitOnFatal(context.log));
