// The messages of the pipeline and their encoding. incoming_timers carries a new timer (or a batch
// of them) from a webserver to a consumer; timers_to_fire carries a due timer (or a batch of them)
// from a poller to a trigger.
import { z } from 'zod';
import { instantMs, storableText } from './storable.js';
import { flowControl } from './flow-control.js';
import { retentionSeconds } from './retention.js';
import { CALLBACK_OUTCOMES } from '../webhooks/callbacks.js';

/** The longest callback URL (or task target) a timer may carry. */
export const MAX_URL_LENGTH = 2048;

const timerId = z.uuid();
// What the store can store, the same pieces the webserver's request schemas are built from
// (webserver/timers/timer-request.ts), so that a timer the door accepts is one a consumer can store.
const epochMs = instantMs;
const storedUrl = storableText.min(1).max(MAX_URL_LENGTH);

const positiveMs = z.number().int().positive().optional();

export const incomingTimerMessage = z.object({
  id: timerId,
  url: storedUrl,
  fire_at: epochMs,
  created_at: epochMs,
  // Delivery settings of this timer; absent: the trigger's configured defaults.
  max_attempts: z.number().int().positive().optional(),
  timeout_ms: positiveMs,
  retry_backoff_ms: positiveMs,
  retry_max_backoff_ms: positiveMs,
  // The webhook's own shape; absent: the plain POST {"id": ...}. body is the JSON text to send.
  method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
  headers: z.record(storableText, storableText).optional(),
  body: storableText.optional(),
  // x-request-id of the POST that created it, kept with the timer for the logs of every hop
  request_id: storableText.max(128).optional(),
  // The user whose token created the timer; absent: ownerless.
  owner_id: z.uuid().optional(),
  // A schedule's run: the schedule and the instant it runs for (absent: a one-off timer).
  schedule_id: z.uuid().optional(),
  schedule_instant: epochMs.optional(),
  // The flow-control key its deliveries share (its owner's), with the limits it sets on the key.
  flow_control: flowControl.optional(),
  // Called after a successful delivery / once the timer has failed for good (common/webhooks/callbacks.ts).
  callback_url: storedUrl.optional(),
  failure_callback_url: storedUrl.optional(),
  // A callback itself: the timer or task whose outcome it tells, and that outcome.
  callback_of: z.uuid().optional(),
  callback_outcome: z.enum(CALLBACK_OUTCOMES).optional(),
  // How long it is kept once finished; absent: the default of its outcome (RETENTION_*_S).
  retention_s: retentionSeconds().optional(),
});
export type IncomingTimer = z.infer<typeof incomingTimerMessage>;

// POST /timers publishes its accepted timers as one message (one persistent message and one confirm
// for the whole batch); incoming_timers carries either form.
export const incomingTimerBatchMessage = z.object({ timers: z.array(incomingTimerMessage).min(1) });
export type IncomingTimerBatch = z.infer<typeof incomingTimerBatchMessage>;
export const incomingTimersMessage = z.union([incomingTimerMessage, incomingTimerBatchMessage]);

/** The timers one incoming_timers or timers_to_fire message carries. */
export function timersOf<T extends object>(message: T | { timers: T[] }): T[] {
  return 'timers' in message && Array.isArray(message.timers) ? message.timers : [message as T];
}

export const dueTimerMessage = z.object({ id: timerId, url: storedUrl, fire_at: epochMs });
export type DueTimer = z.infer<typeof dueTimerMessage>;

// A poller publishes the timers falling due together as one message (one persistent write and one
// confirm); timers_to_fire carries either form.
export const dueTimerBatchMessage = z.object({ timers: z.array(dueTimerMessage).min(1) });
export const dueTimersMessage = z.union([dueTimerMessage, dueTimerBatchMessage]);

export function encodeMessage(message: IncomingTimer | IncomingTimerBatch | DueTimer | { timers: DueTimer[] }): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/** One message for one or more timers: a lone timer as itself, several as {"timers": [...]}. */
export function encodeTimers(timers: Array<IncomingTimer | DueTimer>): Buffer {
  return encodeMessage(timers.length === 1 ? timers[0]! : { timers: timers as IncomingTimer[] });
}
