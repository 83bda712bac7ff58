// webserver: the HTTP API behind nginx; any number of replicas.
// Consumes: HTTP requests from nginx; direct replies (amq.rabbitmq.reply-to) from workers for ?wait=.
// Publishes, each on the broker's confirm: timers to incoming_timers (a delayed task too, as a timer
//   whose url is task:<id>), access-log lines to incoming_logs, tasks to the tasks queue.
// Writes to the main database itself: tasks (submit, cancel), users, login_throttles,
//   idempotency_keys, timers (cancel, reschedule, replay), its process_heartbeats row; to the
//   timer-db shards: the timers_to_fire row of a rescheduled or replayed timer (a cancel deletes it).
// Reads: timers, tasks, users, log_records, process_heartbeats; queue depths from the broker.
// Calls: no other service over HTTP.
// The webserver process: validates and accepts timers, publishes them, and serves reads.
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { openPipeline } from '../common/process/pipeline.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { manageHttpServer } from '../common/http/http-server.js';
import { expressServer } from '../common/http/express-server.js';
import { httpTimeouts, listen } from '../common/http/create-http-server.js';
import { createApp } from './app.js';
import { AddressPolicy } from '../common/webhooks/callback-address.js';
import { QueueDepthGuard } from './timers/queue-guard.js';
import { sweepExpiredKeys } from './timers/idempotency-keys.js';
import { TaskReplies } from './tasks/task-replies.js';
import { taskContracts } from '../common/tasks/contracts.js';
import { watchWebserverGauges } from './health/metrics-gauges.js';
import { jwtSecret } from '../common/process/config.js';
import { loginSettings, sweepForgottenLoginFailures } from './auth/login-throttle.js';

async function main(context: ProcessContext): Promise<void> {
  const { config, log, shutdown } = context;
  // The shards: cancel, reschedule and replay change a timer's row there.
  const { mainDb, shards, amqp } = openPipeline(context, { type: 'webserver', shardPoolMax: 2 });
  const secret = jwtSecret(config);
  if (config.JWT_SECRET_KEY === undefined) {
    log.warn('JWT_SECRET_KEY is unset: tokens are signed with the public development key (production refuses to start so)');
  }
  const replies = new TaskReplies(mainDb, log);
  amqp.onPublishChannel(replies.attach);
  await amqp.start();

  const incomingQueue = new QueueDepthGuard(amqp, amqp.names.incomingTimers, config.INCOMING_QUEUE_MAX_MESSAGES, log);
  incomingQueue.start();
  shutdown.add('queue guard', () => incomingQueue.stop());
  shutdown.add('idempotency key sweep', sweepExpiredKeys(mainDb, log));
  const login = loginSettings(config);
  shutdown.add('login failure sweep', sweepForgottenLoginFailures(mainDb, login, log));
  watchWebserverGauges(amqp, mainDb);
  const app = createApp({
    amqp,
    mainDb,
    log,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    readYourWritesWaitMs: config.READ_YOUR_WRITES_WAIT_MS,
    addressPolicy: new AddressPolicy(config.WEBHOOK_ALLOWED_CIDRS),
    defaultMaxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    incomingQueue,
    retentionBounds: { minS: config.RETENTION_MIN_S, maxS: config.RETENTION_MAX_S },
    maxInFlight: config.WEBSERVER_MAX_IN_FLIGHT,
    shards,
    scheduleDueSoonMs: config.POLLER_LOOKAHEAD_MS,
    now: Date.now,
    auth: {
      mainDb,
      tokens: { secret, algorithm: config.JWT_ALGORITHM, expiresInMin: config.DEFAULT_EXP_DELTA_MIN },
      required: config.AUTH_REQUIRED,
      adminEmails: config.ADMIN_EMAILS,
    },
    registrationMailMaxAttempts: config.REGISTRATION_MAIL_MAX_ATTEMPTS,
    login,
    trustedProxies: config.TRUSTED_PROXIES,
    dashboard: { open: config.DASHBOARD_OPEN, heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS, rabbitmqManagementUrl: config.RABBITMQ_MANAGEMENT_URL },
    tasks: {
      amqp,
      mainDb,
      contracts: taskContracts({ testing: config.TASK_TESTING_TYPES }),
      replies,
      defaultTimeoutS: config.TASK_DEFAULT_TIMEOUT_S,
      defaultMaxAttempts: config.TASK_DEFAULT_MAX_ATTEMPTS,
      maxWaitS: config.TASK_MAX_WAIT_S,
      sumMaxNumbers: config.SUM_MAX_NUMBERS,
      now: Date.now,
    },
  });
  const server = expressServer(app, httpTimeouts(config));
  manageHttpServer(server, shutdown, config.SHUTDOWN_TIMEOUT_MS / 2);
  // Runs before the server's close, which waits for requests: held waits answer 202 at once.
  shutdown.add('task waits', () => replies.releaseAll());
  // HTTP_HOST: only nginx should reach a webserver, or its body, rate and connection limits are bypassed.
  await listen(server, config.PORT, config.HTTP_HOST);
  log.info({ host: config.HTTP_HOST, port: config.PORT }, 'webserver listening');
  void amqp.waitForConnect().then(() => announceReady(log));
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('webserver');
main(context).catch(exitOnFatal(context.log));
