// worker: runs background tasks; any number of replicas.
// Consumes: the tasks queue.
// Writes: the tasks table (claims the run, stores the result or error); users.registration_mail_sent_at
//   (send_registration_email); its process_heartbeats row.
// Publishes: a retry as a timer on incoming_timers (url task:<id>); a direct reply to a waiting
//   submitter; a poison task's message to tasks.dead.
// Calls: the random-user service (parse tasks), the SMTP server (send_registration_email).
// The worker process: tasks queue -> claim the run in the tasks table -> run the task -> store the
// outcome -> ack. Any number of replicas; each runs up to TASK_WORKER_PREFETCH tasks at once.
import { hostname } from 'node:os';
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { AmqpClient } from '../common/broker/amqp.js';
import { queueNames } from '../common/broker/queue-names.js';
import { createPool } from '../common/db/pool.js';
import { taskRegistry } from './tasks/registry.js';
import { taskHandler } from './handle-task.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { watchQueues } from '../common/observability/metrics.js';
import { startHeartbeat } from '../common/process/heartbeat.js';
import { smtpMailer } from './mailer.js';

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const db = createPool(config.MAIN_DB_URL, 'timer-worker', config.DB_POOL_MAX, log);
  shutdown.add('database', () => db.end());
  startHeartbeat({ db, type: 'worker', intervalMs: config.HEARTBEAT_INTERVAL_MS, log }, shutdown);
  const amqp = new AmqpClient(config.AMQP_URL, queueNames(config.QUEUE_PREFIX), log, config.PUBLISH_CONFIRM_TIMEOUT_MS, `timer-worker-${process.pid}`);
  shutdown.add('broker', () => amqp.close());
  const tasks = taskHandler({
    db,
    amqp,
    registry: taskRegistry({ testing: config.TASK_TESTING_TYPES }),
    workerName: `${hostname()}:${process.pid}`,
    retryBaseMs: config.TASK_RETRY_BASE_MS,
    randomUserServiceUrl: config.RANDOM_USER_SERVICE_URL,
    mailer: smtpMailer(config),
    deadLetter: deadLetterer(amqp, log),
    log,
    now: Date.now,
  });
  shutdown.add('tasks under way', () => tasks.drain());
  await amqp.consume(amqp.names.tasks, config.TASK_WORKER_PREFETCH, tasks.handle);
  shutdown.add('consumers', () => amqp.cancelConsumers());
  watchQueues(amqp, { tasks: amqp.names.tasks });
  await amqp.start();
  void amqp.waitForConnect().then(() => announceReady(log, { prefetch: config.TASK_WORKER_PREFETCH }));
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('worker');
main(context).catch(exitOnFatal(context.log));
