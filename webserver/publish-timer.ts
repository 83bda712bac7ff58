// Turns a valid POST /timer body into a timer and publishes it to incoming_timers; resolves once
// the broker has confirmed the persistent message, which is what makes the 201 durable.
import type { AmqpClient } from '../common/amqp.js';
import type { CreateTimerRequest } from '../common/timer-request.js';
import { encodeMessage, type IncomingTimer } from '../common/timer-message.js';
import { fireAtFor } from '../common/time.js';
import { newTimerId } from '../common/timer-id.js';

export async function publishTimer(amqp: AmqpClient, request: CreateTimerRequest, now: number, ownerId?: string): Promise<IncomingTimer> {
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  const timer: IncomingTimer = {
    id: newTimerId(),
    url: request.url,
    fire_at: fireAtFor(request, now),
    created_at: now,
    max_attempts: request.max_attempts,
    timeout_ms: ms(request.timeout_s),
    retry_backoff_ms: ms(request.retry_backoff_s),
    retry_max_backoff_ms: ms(request.retry_max_backoff_s),
    owner_id: ownerId,
  };
  await amqp.publish(amqp.names.incomingTimers, encodeMessage(timer), { messageId: timer.id });
  return timer;
}
