// The callbacks that tell a finished task's outcome (common/webhooks/callbacks.ts): one timer per URL the
// outcome goes to (succeeded: result_url and callback_url; failed for good: result_url and
// failure_callback_url), published on incoming_timers like any new timer, so the consumer stores them and
// the trigger delivers, retries and signs them. Each is made from the task's committed row only: its id
// comes from the task, its series and the outcome, and its body from the row, so a task whose outcome is
// told again (a redelivered message after a crash between the finish and the publish) makes the same
// timers, which the consumer stores once.
import type { AmqpClient } from '../common/broker/amqp.js';
import { encodeMessage, type IncomingTimer } from '../common/messages/timer-message.js';
import type { TaskRow } from '../common/store/tasks.js';
import { callbackId, taskCallbackBody, type CallbackSlot } from '../common/webhooks/callbacks.js';

const SLOTS: Record<'succeeded' | 'failed', readonly CallbackSlot[]> = {
  succeeded: ['result_url', 'callback_url'],
  failed: ['result_url', 'failure_callback_url'],
};

const ms = (date: Date | null) => (date ? date.getTime() : null);

/**
 * taskCallbacks(task, now): the callback timers of a finished task, due now; none for a task that has not
 * succeeded or failed, or names no URL for its outcome. The series in each id tells apart the outcomes of
 * the runs a retry (POST /tasks/{id}/retry) starts: a retry starts attempts over, so they cannot.
 */
export function taskCallbacks(task: TaskRow, now: number): IncomingTimer[] {
  if (task.state !== 'succeeded' && task.state !== 'failed') return [];
  const outcome = task.state;
  const slots = SLOTS[outcome].filter((slot) => task[slot] !== null);
  if (slots.length === 0) return [];
  const body = JSON.stringify(
    taskCallbackBody({
      taskId: task.id,
      taskType: task.type,
      outcome,
      result: task.result,
      error: task.error,
      attempts: task.attempts,
      createdAt: task.created_at.getTime(),
      startedAt: ms(task.started_at),
      finishedAt: ms(task.finished_at),
    }),
  );
  return slots.map((slot) => ({
    id: callbackId(task.id, task.series, outcome, slot),
    url: task[slot]!,
    fire_at: now,
    created_at: now,
    body,
    owner_id: task.owner_id ?? undefined,
    callback_of: task.id,
    callback_outcome: outcome,
  }));
}

/** Publishes a finished task's callbacks to incoming_timers; resolves once the broker confirmed each. */
export async function publishTaskCallbacks(amqp: AmqpClient, task: TaskRow, now: number): Promise<void> {
  await Promise.all(taskCallbacks(task, now).map((timer) => amqp.publish(amqp.names.incomingTimers, encodeMessage(timer), { messageId: timer.id })));
}
