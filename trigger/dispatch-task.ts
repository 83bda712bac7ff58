// The trigger's other target: a timer whose url is task:<id> (a delayed task, or a task's retry) is
// due, so the task goes to the tasks queue, published with a broker confirm, instead of a webhook.
// A broker that does not confirm throws DependencyUnavailableError: the due message is requeued and
// the claim re-checked, so a delayed task is never dropped.
import type { AmqpClient } from '../common/broker/amqp.js';
import { encodeTaskMessage } from '../common/messages/task-message.js';
import type { DeliveryResult } from './deliver-webhook.js';

export async function dispatchTask(amqp: AmqpClient | undefined, taskId: string): Promise<DeliveryResult> {
  if (!amqp) return { delivered: false, status: null, error: 'this trigger cannot dispatch tasks (no broker client)', retryAfterMs: null, refused: false };
  await amqp.publish(amqp.names.tasks, encodeTaskMessage(taskId), { messageId: taskId });
  return { delivered: true, status: null, error: null, retryAfterMs: null, refused: false };
}
