// The messages of the tasks queue and of direct replies. A task message carries only the task id: the
// worker reads type, args and limits from the tasks table when it claims the run. A waiting submitter
// sets replyTo (amq.rabbitmq.reply-to) and correlationId (the task id) on it.
import { z } from 'zod';

export const taskMessage = z.object({ id: z.uuid() });
export type TaskMessage = z.infer<typeof taskMessage>;

/** What a worker replies to a waiting submitter: the task's state after the attempt. */
export const taskReply = z.object({ id: z.uuid(), state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']) });
export type TaskReply = z.infer<typeof taskReply>;

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** A delayed task (or a retry) is a timer whose url names the task: the trigger dispatches it. */
export const TASK_TARGET_PREFIX = 'task:';

export const taskTarget = (taskId: string): string => `${TASK_TARGET_PREFIX}${taskId}`;

/** The task id of a timer's url, or null for a webhook URL. */
export function taskIdOfTarget(url: string): string | null {
  return url.startsWith(TASK_TARGET_PREFIX) ? url.slice(TASK_TARGET_PREFIX.length) : null;
}
