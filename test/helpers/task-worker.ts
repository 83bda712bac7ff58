// A worker's task handler and the webserver's task settings for integration tests: what worker/main.ts and
// webserver/main.ts build from the configuration, with test defaults (the testing task types, quick
// retries, no random-user service); a test passes its own database and broker clients, and whatever it
// exercises.
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { deadLetterer } from '../../common/broker/dead-letter.js';
import type { Logger } from '../../common/observability/logger.js';
import { taskContracts } from '../../common/tasks/contracts.js';
import { taskHandler, type WorkerDeps } from '../../worker/handle-task.js';
import { taskRegistry } from '../../worker/tasks/registry.js';
import type { TaskDeps } from '../../webserver/tasks/submit-task.js';
import type { TaskReplies } from '../../webserver/tasks/task-replies.js';
import { AMQP_URL } from './broker.js';
import { silentLogger } from './logger.js';

/** A worker's task handler (worker name test:1), its dead letters going to the broker client's tasks.dead. */
export function testTaskHandler(deps: Pick<WorkerDeps, 'db' | 'amqp'> & Partial<WorkerDeps>) {
  const log = deps.log ?? silentLogger();
  return taskHandler({
    registry: taskRegistry({ testing: true }),
    workerName: 'test:1',
    retryBaseMs: 10,
    randomUserServiceUrl: 'http://127.0.0.1:1/',
    deadLetter: deadLetterer(deps.amqp, log),
    log,
    now: Date.now,
    ...deps,
  });
}

/** The webserver's task settings: the testing types, 10 s attempts, 2 attempts, waits up to 20 s. */
export function testTaskDeps(deps: Pick<TaskDeps, 'amqp' | 'mainDb' | 'replies'> & Partial<TaskDeps>): TaskDeps {
  return { contracts: taskContracts({ testing: true }), defaultTimeoutS: 10, defaultMaxAttempts: 2, maxWaitS: 20, sumMaxNumbers: 100, now: Date.now, ...deps };
}

/**
 * A webserver's and a worker's broker clients on the queues of `prefix`, connected (named test-web-<prefix>
 * and test-worker-<prefix>); the webserver's consumes the direct replies of `replies`.
 */
export async function connectWebAndWorker(prefix: string, replies: TaskReplies, log: Logger): Promise<{ web: AmqpClient; worker: AmqpClient }> {
  const web = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-web-${prefix}`);
  web.onPublishChannel(replies.attach);
  const worker = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-worker-${prefix}`);
  await Promise.all([web.start(), worker.start()]);
  await Promise.all([web.waitForConnect(), worker.waitForConnect()]);
  return { web, worker };
}
