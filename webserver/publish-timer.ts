// Turns a valid POST /timer body into a timer, and publishes timers to incoming_timers; a publish
// resolves once the broker has confirmed the persistent message, which is what makes the 201 durable.
import type { AmqpClient } from '../common/amqp.js';
import { fireAtOf, type CreateTimerRequest } from '../common/timer-request.js';
import { encodeMessage, type IncomingTimer } from '../common/timer-message.js';
import { newTimerId } from '../common/timer-id.js';

/** Who and what a new timer comes from: its id (new unless given), the POST's x-request-id (for the logs of every hop), its owner. */
export interface TimerOrigin {
  id?: string;
  requestId?: string | undefined;
  ownerId?: string | undefined;
}

export function buildTimer(request: CreateTimerRequest, now: number, origin: TimerOrigin = {}): IncomingTimer {
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  return {
    id: origin.id ?? newTimerId(),
    url: request.url,
    fire_at: fireAtOf(request, now),
    created_at: now,
    max_attempts: request.max_attempts,
    timeout_ms: ms(request.timeout_s),
    retry_backoff_ms: ms(request.retry_backoff_s),
    retry_max_backoff_ms: ms(request.retry_max_backoff_s),
    method: request.method,
    headers: request.headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    request_id: origin.requestId,
    owner_id: origin.ownerId,
  };
}

export async function publishTimer(amqp: AmqpClient, timer: IncomingTimer): Promise<void> {
  const headers = timer.request_id ? { 'x-request-id': timer.request_id } : undefined;
  await amqp.publish(amqp.names.incomingTimers, encodeMessage(timer), { messageId: timer.id, headers });
}

/** Publishes a batch of timers as one message: one persistent write and one confirm for all of them. */
export async function publishTimers(amqp: AmqpClient, timers: IncomingTimer[], requestId: string | undefined): Promise<void> {
  const headers = requestId ? { 'x-request-id': requestId } : undefined;
  await amqp.publish(amqp.names.incomingTimers, encodeMessage({ timers }), { messageId: timers[0]!.id, headers });
}
