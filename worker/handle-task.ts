// Handles tasks deliveries: claim the run in the tasks table, run the task under its timeout, store the
// outcome, then ack (the result is in PostgreSQL before the broker forgets the message). A failure is
// retried through the timer machinery (a timer whose url is task:<id>) after a backoff, up to
// max_attempts. A delivery past max_attempts (earlier ones crashed their worker) fails the task and
// dead-letters the message, so a poison task never becomes a crash loop. A waiting submitter gets a
// direct reply once the outcome is stored. A pure task's first delivery (its message carries the task,
// and the broker has not delivered it before) runs before the claim, and claim and outcome are stored in
// one update; should that match nothing (cancelled, started elsewhere), or the run ask for a retry, the
// delivery takes the usual way. A crash during such a run goes uncounted, but its redelivery (flagged
// redelivered by the broker) is claimed first, so a poison task still dead-letters. A task whose type is
// paused (worker/paused-types.ts) is not run: its claim turns it 'held' in the tasks table and the message
// is acked; it is published again once the pause is over. A final outcome (succeeded, or failed for good)
// that this delivery committed is told to the URLs the task names (worker/task-callbacks.ts): the callback
// timers are on incoming_timers before the message is acked. A copy of the message that finds the task
// finished tells it again, should the worker have stopped in between (the same timer ids: stored once).
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpClient } from '../common/broker/amqp.js';
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { decodeOrDeadLetter, settleWhenDone, type Settlement } from '../common/broker/settle-message.js';
import type { DeadLetter } from '../common/broker/dead-letter.js';
import { encodeTaskReply, taskMessage, type CarriedTask, type TaskReply } from '../common/messages/task-message.js';
import { publishTaskTimer } from '../common/tasks/task-timer.js';
import { finishedWithCallbacks, finishTasks, finishUnclaimed, holdTasks, requeueTask, startTasks, type Finish, type FinishedRun, type StartResult, type TaskRow } from '../common/store/tasks.js';
import { Batcher } from '../common/batch/batcher.js';
import type { TaskRegistry } from './tasks/registry.js';
import { PermanentTaskError, type TaskType } from './tasks/task-type.js';
import { retryDelayMs } from './backoff.js';
import { metrics } from '../common/observability/metrics.js';
import type { Mailer } from './mailer.js';
import { InFlight } from '../common/batch/in-flight.js';
import { publishTaskCallbacks } from './task-callbacks.js';

const REQUEUE_DELAY_MS = 1_000;
// Claims and outcomes are written in batches (group commit), as the trigger does for timers.
const BATCH_MAX = 500;

export interface WorkerDeps {
  db: Pool;
  amqp: AmqpClient;
  registry: TaskRegistry;
  /** stored in tasks.worker: host:pid */
  workerName: string;
  retryBaseMs: number;
  randomUserServiceUrl: string;
  /** SMTP for send_registration_email (the registration mail) */
  mailer?: Mailer;
  /** where a poison task goes, with the reason */
  deadLetter: DeadLetter;
  /** the task types paused at the last look (worker/paused-types.ts); none: nothing is ever held */
  pausedTypes?: { paused(): readonly string[] };
  log: Logger;
  now: () => number;
}

/** A delivery's claim: a run to start (or skip, or dead-letter), or held because its type is paused. */
type Claim = StartResult | { kind: 'held' };

type Attempt = { ok: true; result: unknown } | { ok: false; error: string; permanent: boolean };

class TaskTimeoutError extends Error {
  override name = 'TaskTimeoutError';
}

export function taskHandler(deps: WorkerDeps) {
  const { db, amqp, log } = deps;
  const inFlight = new InFlight();
  const paused = () => deps.pausedTypes?.paused() ?? [];

  /** Claims a batch of deliveries; while some type is paused, those of a paused type are held first. */
  async function claim(ids: string[]): Promise<Claim[]> {
    const pausedNow = paused();
    const held = new Set(pausedNow.length > 0 ? await holdTasks(db, ids, pausedNow) : []);
    const started = await startTasks(db, ids, deps.workerName);
    return ids.map((id, i): Claim => (held.has(id) ? { kind: 'held' } : started[i]!));
  }

  const starts = new Batcher<string, Claim>(claim, BATCH_MAX, 2);
  const finishes = new Batcher<Finish, TaskRow | null>((batch) => finishTasks(db, batch), BATCH_MAX, 2);
  const unclaimedFinishes = new Batcher<FinishedRun, TaskRow | null>((batch) => finishUnclaimed(db, batch, deps.workerName), BATCH_MAX, 2);
  const finishedTold = new Batcher<string, TaskRow | null>((ids) => finishedWithCallbacks(db, ids), BATCH_MAX, 2);

  /** Tells the outcome this delivery committed to the task's callback URLs (none: nothing to do). */
  const tell = (task: TaskRow | null): Promise<void> => (task ? publishTaskCallbacks(amqp, task, deps.now()) : Promise.resolve());

  /** A copy of a finished task's message: its outcome is told again, in case the worker that finished it stopped before it told it. */
  async function tellAgain(id: string): Promise<void> {
    const task = await finishedTold.add(id);
    if (!task) return;
    await tell(task);
    log.debug({ task_id: id, state: task.state }, "a finished task's outcome told again");
  }

  async function attempt(type: TaskType, task: Pick<TaskRow, 'args' | 'timeout_ms' | 'attempts'>): Promise<Attempt> {
    const args = type.args.safeParse(task.args);
    if (!args.success) return { ok: false, error: `args no longer valid for ${type.name}: ${args.error.message}`, permanent: true };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new TaskTimeoutError(`timed out after ${task.timeout_ms} ms`));
        controller.abort();
      }, task.timeout_ms);
    });
    try {
      const context = { signal: controller.signal, attempt: task.attempts, randomUserServiceUrl: deps.randomUserServiceUrl, log, db, mailer: deps.mailer };
      const raw = await Promise.race([type.run(args.data, context), timeout]);
      const result = type.result.safeParse(raw);
      if (!result.success) return { ok: false, error: `the task returned a result of the wrong shape: ${result.error.message}`, permanent: true };
      return { ok: true, result: result.data };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { ok: false, error, permanent: err instanceof PermanentTaskError };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Replies to a waiting submitter: with the task row when this attempt's outcome was committed. */
  function reply(message: ConsumeMessage, state: TaskReply['state'], id: string, task?: TaskRow | null): void {
    const { replyTo, correlationId } = message.properties;
    if (!replyTo) return;
    amqp
      .publish(replyTo, encodeTaskReply({ id, state, ...(task ? { task } : {}) }), { correlationId, persistent: false })
      .catch((err: Error) => log.debug({ err: err.message, task_id: id }, 'could not reply to the submitter (it falls back to the database)'));
  }

  /**
   * A pure task's first delivery: run, then claim and store the outcome in one update. Null: nothing
   * stored (not queued and unstarted any more, or the run asks for a retry); the usual way follows.
   */
  async function runBeforeClaim(id: string, carried: CarriedTask, message: ConsumeMessage): Promise<Settlement | null> {
    const type = deps.registry.get(carried.type);
    if (!type?.pure || paused().includes(type.name)) return null;
    const outcome = await attempt(type, { args: carried.args, timeout_ms: carried.timeout_ms, attempts: 1 });
    if (!outcome.ok && !outcome.permanent) return null;
    const finished = await unclaimedFinishes.add(outcome.ok ? { id, state: 'succeeded', result: outcome.result } : { id, state: 'failed', error: outcome.error });
    if (!finished) return null;
    if (!outcome.ok) log.info({ task_id: id, attempt: 1, error: outcome.error }, 'task failed');
    reply(message, finished.state, id, finished);
    metrics.tasksFinished.inc({ outcome: finished.state === 'succeeded' ? 'succeeded' : 'failed' });
    await tell(finished);
    return 'ack';
  }

  /** What to do with the message once the task's outcome is stored. */
  async function runDelivery(id: string, message: ConsumeMessage, carried?: CarriedTask): Promise<Settlement> {
    if (carried && !message.fields.redelivered) {
      const settled = await runBeforeClaim(id, carried, message);
      if (settled) return settled;
    }
    const start = await starts.add(id);
    if (start.kind === 'skip') {
      await tellAgain(id);
      return 'ack';
    }
    if (start.kind === 'held') {
      log.debug({ task_id: id }, 'task held: its type is paused');
      return 'ack';
    }
    if (start.kind === 'exhausted') {
      reply(message, 'failed', id, start.task);
      await tell(start.task);
      return { deadLetter: `the task never finished a delivery in ${start.task.attempts - 1} attempts (it crashed or stopped its worker each time)` };
    }
    const task = start.task;
    const type = deps.registry.get(task.type);
    const outcome: Attempt = type ? await attempt(type, task) : { ok: false, error: `unknown task type ${task.type}`, permanent: true };
    if (outcome.ok) {
      const finished = await finishes.add({ id, attempt: task.attempts, state: 'succeeded', result: outcome.result });
      reply(message, 'succeeded', id, finished);
      metrics.tasksFinished.inc({ outcome: 'succeeded' });
      await tell(finished);
      return 'ack';
    }
    if (outcome.permanent || task.attempts >= task.max_attempts) {
      log.info({ task_id: id, attempt: task.attempts, error: outcome.error }, 'task failed');
      const finished = await finishes.add({ id, attempt: task.attempts, state: 'failed', error: outcome.error });
      reply(message, 'failed', id, finished);
      metrics.tasksFinished.inc({ outcome: 'failed' });
      await tell(finished);
      return 'ack';
    }
    // The retry timer first: once it is on disk, the task cannot be lost; were the update below to fail,
    // the retry would still run (a running task may be started again).
    const runAt = deps.now() + retryDelayMs(task.attempts, deps.retryBaseMs);
    await publishTaskTimer(amqp, {
      taskId: id,
      fireAt: runAt,
      createdAt: deps.now(),
      ownerId: task.owner_id,
      // A retry waits on the task's key as its first start did.
      flowControl: task.flow_key === null ? undefined : { key: task.flow_key },
    });
    await requeueTask(db, id, task.attempts, outcome.error, runAt);
    log.info({ task_id: id, attempt: task.attempts, error: outcome.error, retry_at: new Date(runAt).toISOString() }, 'task failed; retrying');
    reply(message, 'queued', id);
    metrics.tasksFinished.inc({ outcome: 'retrying' });
    return 'ack';
  }

  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const decoded = decodeOrDeadLetter(taskMessage, message, channel, deps.deadLetter);
    if (!decoded) return;
    const work = settleWhenDone(runDelivery(decoded.id, message, decoded.task), message, channel, deps.deadLetter, log, { task_id: decoded.id }, REQUEUE_DELAY_MS);
    void inFlight.track(work);
  };

  /** Waits for the tasks under way (graceful stop). */
  const drain = async () => {
    await inFlight.drained();
  };
  return { handle, drain };
}
