// Turns a valid POST /timer body into a timer and publishes it to incoming_timers; resolves once
// the broker has confirmed the persistent message, which is what makes the 201 durable.
import type { AmqpClient } from '../common/amqp.js';
import type { CreateTimerRequest } from '../common/timer-request.js';
import { encodeMessage, type IncomingTimer } from '../common/timer-message.js';
import { fireAtFor } from '../common/time.js';
import { newTimerId } from '../common/timer-id.js';

export async function publishTimer(amqp: AmqpClient, request: CreateTimerRequest, now: number): Promise<IncomingTimer> {
  const timer: IncomingTimer = { id: newTimerId(), url: request.url, fire_at: fireAtFor(request, now), created_at: now };
  await amqp.publish(amqp.names.incomingTimers, encodeMessage(timer), { messageId: timer.id });
  return timer;
}
