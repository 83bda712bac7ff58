// Turns a valid POST /timer body into a timer, and publishes timers to incoming_timers; a publish
// resolves once the broker has confirmed the persistent message, which is what makes the 201 durable.
import type { AmqpClient } from '../../common/broker/amqp.js';
import { fireAtOf, type CreateTimerRequest } from './timer-request.js';
import { encodeTimers, type IncomingTimer } from '../../common/messages/timer-message.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { Batcher } from '../../common/batch/batcher.js';

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
    flow_control: request.flow_control,
    callback_url: request.callback_url,
    failure_callback_url: request.failure_callback_url,
    retention_s: request.retention_s,
  };
}

// POST /timer requests that arrive while a publish is waiting for its confirm are published together,
// as one message, when it returns (group commit, common/batch/batcher.ts): one persistent write and one
// confirm for all of them, and a lone request publishes at once. One batcher per broker client.
const PUBLISH_BATCH_MAX = 200;
const PUBLISHES_IN_FLIGHT = 2;
const publishers = new WeakMap<AmqpClient, Batcher<IncomingTimer>>();

/** Publishes one timer (with whatever else is being published at the moment); resolves once confirmed. */
export function publishTimer(amqp: AmqpClient, timer: IncomingTimer): Promise<void> {
  let publisher = publishers.get(amqp);
  if (!publisher) {
    publisher = Batcher.forWork<IncomingTimer>((timers) => publishTimers(amqp, timers), PUBLISH_BATCH_MAX, PUBLISHES_IN_FLIGHT);
    publishers.set(amqp, publisher);
  }
  return publisher.add(timer);
}

/**
 * Publishes timers as one message: one persistent write and one confirm for all of them. The message
 * carries the x-request-id header when they all come from one request.
 */
export async function publishTimers(amqp: AmqpClient, timers: IncomingTimer[]): Promise<void> {
  const requestIds = new Set(timers.map((t) => t.request_id));
  const requestId = requestIds.size === 1 ? timers[0]!.request_id : undefined;
  const headers = requestId ? { 'x-request-id': requestId } : undefined;
  await amqp.publish(amqp.names.incomingTimers, encodeTimers(timers), { messageId: timers[0]!.id, headers });
}
