// Turns a valid POST /timer body into a timer, and publishes timers to incoming_timers; a publish
// resolves once the broker has confirmed the persistent message, which is what makes the 201 durable.
import type { AmqpClient } from '../common/amqp.js';
import { fireAtOf, type CreateTimerRequest } from '../common/timer-request.js';
import { encodeMessage, type IncomingTimer } from '../common/timer-message.js';
import { newTimerId } from '../common/timer-id.js';

/** buildTimer(request, now, id?, requestId?): the timer; requestId is the POST's x-request-id, for the logs of every hop. */
export function buildTimer(request: CreateTimerRequest, now: number, id: string = newTimerId(), requestId?: string): IncomingTimer {
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  return {
    id,
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
    request_id: requestId,
  };
}

export async function publishTimer(amqp: AmqpClient, timer: IncomingTimer): Promise<void> {
  const headers = timer.request_id ? { 'x-request-id': timer.request_id } : undefined;
  await amqp.publish(amqp.names.incomingTimers, encodeMessage(timer), { messageId: timer.id, headers });
}
