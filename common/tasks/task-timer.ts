// A delayed task, or a task's retry, is a timer whose target names the task: the timer pipeline holds it
// until it is due, and the trigger then publishes the task to the tasks queue instead of calling a
// webhook. The webserver (a delayed submission) and the worker (a retry) publish such timers; the
// trigger reads the target back. The tasks table recognises the same prefix in its generated timer
// column (migrations/main/0002_create_tasks.ts).
import type { AmqpClient } from '../broker/amqp.js';
import { newTimerId } from '../messages/timer-id.js';
import { encodeMessage, type IncomingTimer } from '../messages/timer-message.js';
import type { FlowControl } from '../messages/flow-control.js';

export const TASK_TARGET_PREFIX = 'task:';

/** The url of a timer that dispatches the task. */
export const taskTarget = (taskId: string): string => `${TASK_TARGET_PREFIX}${taskId}`;

/** The task id of a timer's url, or null for a webhook URL. */
export function taskIdOfTarget(url: string): string | null {
  return url.startsWith(TASK_TARGET_PREFIX) ? url.slice(TASK_TARGET_PREFIX.length) : null;
}

export interface TaskTimer {
  taskId: string;
  /** when the task is to go to the tasks queue */
  fireAt: number;
  createdAt: number;
  /** the task's owner, carried by its timer too; none: ownerless */
  ownerId?: string | null;
  /** the flow-control key its start waits on (the owner's), with the limits it sets */
  flowControl?: FlowControl | undefined;
}

/** The incoming_timers message of a task's timer, with a new timer id. */
export function taskTimerMessage(task: TaskTimer): IncomingTimer {
  return {
    id: newTimerId(),
    url: taskTarget(task.taskId),
    fire_at: task.fireAt,
    created_at: task.createdAt,
    owner_id: task.ownerId ?? undefined,
    flow_control: task.flowControl,
  };
}

/** Publishes a task's timer to incoming_timers; resolves once the broker confirmed it. */
export async function publishTaskTimer(amqp: AmqpClient, task: TaskTimer): Promise<void> {
  const timer = taskTimerMessage(task);
  await amqp.publish(amqp.names.incomingTimers, encodeMessage(timer), { messageId: timer.id });
}
