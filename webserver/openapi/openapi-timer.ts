// The answer about one timer (GET /timer/{id} and every route that returns a timer), in its own file so
// that the description's parts (webserver/openapi/openapi-dashboard.ts) can use it without an import cycle;
// with it the parts a timer's record is made of: an attempt, the receiver's answer an attempt keeps, and
// the callbacks that tell the timer's outcome (common/webhooks/callbacks.ts).
import { z } from 'zod';
import { TIMER_STATES } from '../../common/store/timers.js';
import { WEBHOOK_METHODS } from '../../common/webhooks/webhook-shape.js';
import { ATTEMPT_BODY_MAX_BYTES, ATTEMPTS_WITH_RESPONSE, CALLBACK_OUTCOMES, RECORDED_HEADERS } from '../../common/webhooks/callbacks.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

/** A receiver's answer as it is kept (ResponseRecord): in an attempt's record, and carried by a timer's callback. */
export const responseAnswer = z.object({
  status: z.number().int().describe('the HTTP status it answered'),
  headers: z.record(z.string(), z.string()).describe('its headers, names in lower case (a repeated header: its values joined with ", ")'),
  body: z.string().describe('the first bytes of its body: as text when they are UTF-8 (without NUL), else their base64 (body_encoding says which)'),
  body_encoding: z.enum(['utf8', 'base64']),
  body_bytes: z.number().int().min(0).describe('bytes of body read: the whole body, or for a body over 64 KiB what was read before the connection was closed'),
  body_truncated: z.boolean().describe('true when body holds only the first bytes of body_bytes'),
});

const attemptAnswer = z.object({
  attempt: z.number().int().min(1),
  series: z.number().int().min(1).describe('1, then one more per replay'),
  started_at: isoTime,
  duration_ms: z.number().int().min(0),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  response: responseAnswer
    .optional()
    .describe(
      `the receiver's answer (absent when none came: a network error, a timeout): the first ${ATTEMPT_BODY_MAX_BYTES} bytes of its body and the headers ${RECORDED_HEADERS.join(', ')}; only the newest ${ATTEMPTS_WITH_RESPONSE} attempts of a timer keep it`,
    ),
});

/** How a callback shows with the timer (or task) whose outcome it tells: its own delivery's record. */
export const callbackAnswer = z.object({
  id: z.uuid().describe("the callback's timer id (GET /timer/{id}), also its Idempotency-Key and webhook-id"),
  outcome: z.enum(CALLBACK_OUTCOMES).describe('the outcome it tells: delivered (callback_url), failed (failure_callback_url); a task: succeeded'),
  url: z.string().describe('where it is sent'),
  state: z.enum(TIMER_STATES).describe("the callback's own delivery, as a timer's state"),
  attempts: z.number().int().min(0),
  last_attempt_at: isoTime.nullable(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  delivered_at: isoTime.nullable(),
  next_attempt_at: isoTime.nullable(),
  attempt_history: z.array(attemptAnswer),
});

export const timerAnswer = z.object({
  id: z.uuid(),
  time_left: z.number().int().min(0).describe('0 once due'),
  url: z.string(),
  fire_at: isoTime,
  created_at: isoTime,
  state: z
    .enum(TIMER_STATES)
    .describe(
      'scheduled -> firing -> delivered | retrying (-> firing ...) | failed; replay: failed -> retrying; held: waiting on its flow-control key (or a paused host or all deliveries), in due order',
    ),
  attempts: z.number().int().min(0).describe('attempts of the current series'),
  last_attempt_at: isoTime.nullable(),
  last_status: z.number().int().nullable().describe('HTTP status of the last attempt'),
  last_error: z.string().nullable(),
  delivered_at: isoTime.nullable(),
  next_attempt_at: isoTime.nullable().describe('while retrying: when the next attempt is due'),
  max_attempts: z.number().int().min(1),
  replays: z.number().int().min(0).describe('how many times the timer was replayed after failing'),
  attempt_history: z.array(attemptAnswer),
  method: z.enum(WEBHOOK_METHODS),
  headers: z.record(z.string(), z.string()).describe("the timer's own headers, sent besides the service's"),
  body: z.json().describe('the JSON body sent: {"id": ...} (a schedule\'s run: {"id", "schedule_id", "instant"}) unless the timer set its own'),
  schedule_id: z.uuid().nullable().describe('the schedule this timer is a run of; null for a one-off timer'),
  schedule_instant: isoTime.nullable().describe('the scheduled instant the run is for (fire_at adds the jitter)'),
  flow_control: z.object({ key: z.string() }).nullable().describe("the flow-control key its deliveries share (its owner's: GET /flow-control/{key}); null: none"),
  callback_url: z.string().nullable().describe('called after a successful delivery, with the outcome (webhooks: timerOutcome); null: none'),
  failure_callback_url: z.string().nullable().describe('called once the timer has failed for good (not when cancelled or skipped), with the outcome; null: none'),
  callback_of: z
    .object({ id: z.uuid().describe('the timer (or task) whose outcome this callback tells'), outcome: z.enum(CALLBACK_OUTCOMES) })
    .nullable()
    .describe('set when this timer is a callback; null for any other timer'),
  retention_s: z
    .number()
    .int()
    .nullable()
    .describe('seconds it is kept once finished, as the timer asked; null: the default of its outcome (RETENTION_DELIVERED_S, RETENTION_FAILED_S, RETENTION_CANCELLED_S)'),
  expires_at: isoTime.nullable().describe('once finished: from when retention may remove it (removed within about a day after); null while pending'),
  callbacks: z
    .array(callbackAnswer)
    .optional()
    .describe("on GET /timer/{id} (and the dashboard's search) only: the callbacks made so far that tell this timer's outcomes, oldest first (one per outcome and replay series); empty when none"),
});
