// worker: runs background tasks; any number of replicas.
// Consumes: the tasks queue.
// Writes: the tasks table (claims the run, stores the result or error; holds a task of a paused type and
//   releases it once the pause is over); users.registration_mail_sent_at (send_registration_email); its
//   process_heartbeats row.
// Reads: task_type_pauses, every TASK_PAUSE_REFRESH_MS.
// Publishes: a retry as a timer on incoming_timers (url task:<id>); the callbacks telling a finished
//   task's outcome as timers on incoming_timers (callback_of: the task); a direct reply to a waiting
//   submitter; a poison task's message to tasks.dead; held tasks again to the tasks queue.
// Calls: the random-user service (parse tasks), the SMTP server (send_registration_email).
// The worker process: tasks queue -> claim the run in the tasks table -> run the task -> store the
// outcome -> ack. Any number of replicas; each runs up to TASK_WORKER_PREFETCH tasks at once.
import { hostname } from 'node:os';
import { startProcess, type ProcessContext } from '../common/process/start.js';
import { consumeQueues, openPipeline } from '../common/process/pipeline.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { taskRegistry } from './tasks/registry.js';
import { taskHandler } from './handle-task.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { watchQueues } from '../common/observability/metrics.js';
import { smtpMailer } from './mailer.js';
import { PausedTypes } from './paused-types.js';

async function main(context: ProcessContext): Promise<void> {
  const { config, log } = context;
  const { mainDb: db, amqp } = openPipeline(context, { type: 'worker' });
  const pausedTypes = new PausedTypes(db, amqp, log, config.TASK_PAUSE_REFRESH_MS);
  // Stopped after the consumers and their work, before the broker and the pool close.
  context.shutdown.add('task type pauses', () => pausedTypes.stop());
  const tasks = taskHandler({
    db,
    amqp,
    registry: taskRegistry({ testing: config.TASK_TESTING_TYPES }),
    workerName: `${hostname()}:${process.pid}`,
    retryBaseMs: config.TASK_RETRY_BASE_MS,
    randomUserServiceUrl: config.RANDOM_USER_SERVICE_URL,
    mailer: smtpMailer(config),
    deadLetter: deadLetterer(amqp, log),
    pausedTypes,
    log,
    now: Date.now,
  });
  watchQueues(amqp, { tasks: amqp.names.tasks });
  const consumer = { name: 'tasks under way', queue: amqp.names.tasks, prefetch: config.TASK_WORKER_PREFETCH, handle: tasks.handle, drain: () => tasks.drain() };
  await consumeQueues(context, amqp, [consumer], { prefetch: config.TASK_WORKER_PREFETCH });
  pausedTypes.start();
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('worker');
main(context).catch(exitOnFatal(context.log));
