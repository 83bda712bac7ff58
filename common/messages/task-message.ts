// The messages of the tasks queue and of direct replies. A task message carries only the task id: the
// worker reads type, args and limits from the tasks table when it claims the run. A waiting submitter
// sets replyTo (amq.rabbitmq.reply-to) and correlationId (the task id) on it.
import { z } from 'zod';

export const taskMessage = z.object({ id: z.uuid() });
export type TaskMessage = z.infer<typeof taskMessage>;

/** The tasks queue's message of a task: the webserver publishes it for a task due now, the trigger for a
 * delayed one. */
export const encodeTaskMessage = (id: string): Buffer => Buffer.from(JSON.stringify({ id } satisfies TaskMessage));

/** What a worker replies to a waiting submitter: the task's state after the attempt. */
export const taskReply = z.object({ id: z.uuid(), state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']) });
export type TaskReply = z.infer<typeof taskReply>;

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
