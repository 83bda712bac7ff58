// The messages of the tasks queue and of direct replies. A task message carries the task id: the
// worker reads type, args and limits from the tasks table when it claims the run. The message of a pure
// task (common/tasks/task-contract.ts) published by the webserver also carries its type, args and
// timeout, so that its first delivery runs before the claim. A waiting submitter
// sets replyTo (amq.rabbitmq.reply-to) and correlationId (the task id) on it. A reply to a finished
// attempt carries the task as its outcome was committed, so the submitter answers without reading the
// row again.
import { z } from 'zod';
import { TASK_STATES, type TaskRow } from '../store/tasks.js';

/** A pure task as its message carries it: what its run needs, as stored in its row. */
export const carriedTask = z.object({ type: z.string(), args: z.unknown(), timeout_ms: z.number().int().positive() });
export type CarriedTask = z.infer<typeof carriedTask>;

export const taskMessage = z.object({ id: z.uuid(), task: carriedTask.optional() });
export type TaskMessage = z.infer<typeof taskMessage>;

/** The tasks queue's message of a task: the webserver publishes it for a task due now (with the task when
 * it is pure), the trigger for a delayed one. */
export const encodeTaskMessage = (id: string, task?: CarriedTask): Buffer => Buffer.from(JSON.stringify((task ? { id, task } : { id }) satisfies TaskMessage));

const taskState = z.enum(TASK_STATES);
const instant = z.coerce.date();

/** A task row in a reply (JSON: its instants as ISO strings), back as the TaskRow it was. */
const repliedTask = z.object({
  id: z.uuid(),
  type: z.string(),
  args: z.unknown(),
  state: taskState,
  result: z.unknown(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  timeout_ms: z.number().int(),
  run_at: instant,
  created_at: instant,
  started_at: instant.nullable(),
  finished_at: instant.nullable(),
  worker: z.string().nullable(),
  owner_id: z.string().nullable(),
  // Absent from the reply of a worker older than task callbacks (a rolling deploy): none named, the first run.
  result_url: z.string().nullable().default(null),
  callback_url: z.string().nullable().default(null),
  failure_callback_url: z.string().nullable().default(null),
  series: z.number().int().default(1),
  // Absent from the reply of a worker older than tasks' flow keys: none.
  flow_key: z.string().nullable().default(null),
  // Absent from the reply of a worker older than retention: the default of its outcome, and unknown expiry.
  retention_s: z.number().int().nullable().default(null),
  expires_at: instant.nullable().default(null),
}) satisfies z.ZodType<TaskRow, unknown>;

/** What a worker replies to a waiting submitter: the task's state after the attempt, and the task itself
 * when this attempt finished it (its outcome committed before the reply was sent). */
export const taskReply = z.object({ id: z.uuid(), state: taskState, task: repliedTask.optional() });
export type TaskReply = z.infer<typeof taskReply>;

export const encodeTaskReply = (reply: TaskReply): Buffer => Buffer.from(JSON.stringify(reply));

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
