// Submitting a task: the row goes into the tasks table, then its message to the broker (the tasks queue,
// or incoming_timers as a timer whose url is task:<id> when it is delayed or names a flow-control key);
// the answer waits for the broker's confirm. A refused publish removes the row again and answers 503.
// With a wait, the task's outcome is awaited (direct reply-to, or polling) up to the given time, alongside the confirm; a reply
// that finished the task carries its committed row, which is the answer.
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { DIRECT_REPLY_TO, encodeTaskMessage } from '../../common/messages/task-message.js';
import { publishTaskTimer } from '../../common/tasks/task-timer.js';
import type { TaskContracts } from '../../common/tasks/contracts.js';
import { deleteQueuedTask, findTask, insertTasks, type NewTask, type TaskCallbackUrls, type TaskRow } from '../../common/store/tasks.js';
import { Batcher } from '../../common/batch/batcher.js';
import type { TaskReplies } from './task-replies.js';
import type { FlowControl } from '../../common/messages/flow-control.js';

export interface TaskDeps {
  amqp: AmqpClient;
  mainDb: Pool;
  /** what POST /tasks accepts: the task types of this configuration */
  contracts: TaskContracts;
  replies: TaskReplies;
  defaultTimeoutS: number;
  defaultMaxAttempts: number;
  maxWaitS: number;
  sumMaxNumbers: number;
  now: () => number;
}

// Concurrent submissions share one multi-row insert (group commit), one batcher per pool.
const INSERT_BATCH_MAX = 500;
const inserters = new WeakMap<Pool, Batcher<NewTask>>();
function inserter(db: Pool): Batcher<NewTask> {
  let batcher = inserters.get(db);
  if (!batcher) {
    batcher = Batcher.forWork<NewTask>((tasks) => insertTasks(db, tasks), INSERT_BATCH_MAX, 4);
    inserters.set(db, batcher);
  }
  return batcher;
}

export interface Submission {
  type: string;
  /** already checked against the type's schema */
  args: unknown;
  /** an absolute start (run_at) ... */
  runAt?: number;
  /** ... or a delay from the instant of the submission (delay_seconds), measured with the same clock reading as created_at */
  delayMs?: number;
  timeoutS?: number;
  maxAttempts?: number;
  /** the submitting user; none: ownerless */
  ownerId?: string | null;
  /** the flow-control key its start waits on: the task goes through its timer, even when due now */
  flowControl?: FlowControl | undefined;
  /** where its outcome is told (already allowed by the address policy) */
  callbackUrls?: Partial<TaskCallbackUrls>;
  /** how long it is kept once finished; none: the default of its outcome */
  retentionS?: number | undefined;
}

export type Submitted = { id: string; state: 'queued'; task: null } | { id: string; state: TaskRow['state']; task: TaskRow };

/** Submits a task; with waitMs > 0 resolves once it finished or the wait is over (task: its row then). */
export async function submitTask(deps: TaskDeps, submission: Submission, waitMs = 0): Promise<Submitted> {
  const id = newTimerId();
  const now = deps.now();
  const runAt = Math.max(submission.runAt ?? now + (submission.delayMs ?? 0), now);
  // A key is enforced where timers are delivered: a task that names one travels as a timer.
  const delayed = runAt > now || submission.flowControl !== undefined;
  const timeoutMs = (submission.timeoutS ?? deps.defaultTimeoutS) * 1000;
  await inserter(deps.mainDb).add({
    id,
    type: submission.type,
    args: submission.args,
    max_attempts: submission.maxAttempts ?? deps.defaultMaxAttempts,
    timeout_ms: timeoutMs,
    run_at: runAt,
    created_at: now,
    owner_id: submission.ownerId ?? null,
    ...submission.callbackUrls,
    flow_key: submission.flowControl?.key ?? null,
    retention_s: submission.retentionS ?? null,
  });
  // Registered before the publish: the reply may come back before the confirm does.
  const wait = waitMs > 0 ? deps.replies.wait(id, waitMs, !delayed) : null;
  const replyTo = wait?.viaReply ? { replyTo: DIRECT_REPLY_TO, correlationId: id } : {};
  // A pure task travels with its message: the worker runs it before claiming it.
  const carried = deps.contracts.get(submission.type)?.pure ? { type: submission.type, args: submission.args, timeout_ms: timeoutMs } : undefined;
  const published = (
    delayed
      ? publishTaskTimer(deps.amqp, { taskId: id, fireAt: runAt, createdAt: now, ownerId: submission.ownerId, flowControl: submission.flowControl })
      : deps.amqp.publish(deps.amqp.names.tasks, encodeTaskMessage(id, carried), { messageId: id, ...replyTo })
  ).catch(async (err: unknown) => {
    wait?.cancel();
    await deleteQueuedTask(deps.mainDb, id).catch(() => undefined);
    throw err;
  });
  if (!wait) {
    await published;
    return { id, state: 'queued', task: null };
  }
  // The worker may finish the task before the broker's confirm arrives: the wait runs alongside the
  // confirm, and the answer waits for both (a refused publish answers 503 whatever the wait saw).
  const [finished] = await Promise.all([wait.done, published]);
  const task = finished ?? (await findTask(deps.mainDb, id));
  return task ? { id, state: task.state, task } : { id, state: 'queued', task: null };
}
