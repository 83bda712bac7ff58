// The OpenAPI description of the timer routes (POST /timer and GET /timer/{id}, managing,
// listing, batches and replays), merged into webserver/openapi/openapi.ts. The answer schemas are the ones the
// tests check the handlers' answers against.
import { z } from 'zod';
import { createTimerRequest, MAX_URL_LENGTH, rescheduleTimerRequest } from '../timers/timer-request.js';
import { MAX_HEADERS, MAX_HEADER_VALUE_LENGTH, MAX_BODY_BYTES, RESERVED_HEADERS } from '../../common/webhooks/webhook-shape.js';
import { MAX_DELAY_SECONDS } from '../../common/messages/time.js';
import { batchRequest, MAX_BATCH } from '../timers/batch-routes.js';
import { listTimersQuery } from '../timers/list-timers.js';
import { TIMER_STATES } from '../../common/store/timers.js';
import { bulkReplayRequest } from '../timers/replay-routes.js';
import { timerAnswer } from './openapi-timer.js';
import { errorAnswer, expiredReason, type Describe } from './openapi-answers.js';

type Json = Record<string, unknown>;

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const timerCreatedAnswer = z.object({
  id: z.uuid().describe('the timer id (UUIDv7)'),
  time_left: z.number().int().min(0).describe('whole seconds until fire_at, rounded up'),
  fire_at: isoTime,
  state: z.enum(TIMER_STATES).describe('scheduled for a new timer'),
});

export const timerListAnswer = z.object({
  timers: z.array(timerAnswer).describe('newest first'),
  next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
});

export const bulkReplayAnswer = z.object({ replayed: z.number().int().min(0), ids: z.array(z.uuid()) });

export const batchAnswer = z.object({
  accepted: z.number().int().min(0),
  refused: z.number().int().min(0),
  results: z.array(z.union([timerCreatedAnswer.extend({ status: z.literal(201) }), errorAnswer.extend({ status: z.number().int() })])),
});

// What the refinements of webserver/timers/timer-request.ts and common/webhooks/webhook-shape.ts check, which a JSON schema made from zod loses.
const WHEN = `Say when with hours/minutes/seconds (each 0 when left out, ${MAX_DELAY_SECONDS} seconds (365 days) in total at most) or with fire_at (at most 365 days ahead; a past instant fires at once), not both.`;
const DELAY_AND_FIRE_AT = { not: { anyOf: ['hours', 'minutes', 'seconds'].map((part) => ({ required: ['fire_at', part] })) } };
const URL_RULE = {
  type: 'string',
  maxLength: MAX_URL_LENGTH,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]',
  description: 'the callback: an absolute http(s) URL with a host; a host the address policy refuses (loopback, private, link-local ... unless WEBHOOK_ALLOWED_CIDRS) gets 422 callback_refused',
};

/** Where a timer's outcome is told (webhooks: timerOutcome): each URL held to the rule of url, a refused host naming its field. */
export const OUTCOME_CALLBACK_PROPERTIES = {
  callback_url: { ...URL_RULE, description: `called with the outcome (webhooks: timerOutcome) after a successful delivery; ${URL_RULE.description.replace('the callback: ', '')}` },
  failure_callback_url: {
    ...URL_RULE,
    description: `called with the outcome (webhooks: timerOutcome) once the timer has failed for good (not when cancelled or skipped); ${URL_RULE.description.replace('the callback: ', '')}`,
  },
};

const CALLBACK_REFUSED = 'callback_refused: a host the address policy refuses in url, callback_url or failure_callback_url (details[].field names which)';

function timerRequestSchema(schema: Describe['schema']): Json {
  const base = schema(createTimerRequest, 'input') as Json & { properties: Record<string, Json> };
  return {
    ...base,
    ...DELAY_AND_FIRE_AT,
    description: `${WHEN} retry_max_backoff_s, when given with retry_backoff_s, is at least retry_backoff_s.`,
    properties: {
      ...base.properties,
      url: URL_RULE,
      ...OUTCOME_CALLBACK_PROPERTIES,
      headers: {
        type: 'object',
        maxProperties: MAX_HEADERS,
        propertyNames: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$" },
        additionalProperties: { type: 'string', maxLength: MAX_HEADER_VALUE_LENGTH, pattern: '^[\\t\\x20-\\x7e]*$' },
        description: `the webhook's own headers: HTTP token names, each once (case-insensitive), values printable ASCII; refused (the service sets them or they belong to the connection): ${[...RESERVED_HEADERS].join(', ')}`,
      },
      body: { ...base.properties.body, description: `the webhook's JSON body, at most ${MAX_BODY_BYTES} bytes as JSON (default {"id": <timer id>})` },
    },
  };
}

export function timerPaths(describe: Describe) {
  const { schema, ref, query, json, error, errorWith } = describe;
  const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const timerRequest = { $ref: '#/components/schemas/TimerRequest' };
  const timer = (description: string) => json(timerAnswer, description, 'Timer');
  const notPending = errorWith('TimerConflict', { state: z.enum(TIMER_STATES) }, 'not_pending: the timer is being delivered, has fired or was cancelled (state says which)');
  const reschedule = schema(rescheduleTimerRequest, 'input') as Json & { properties: Record<string, Json> };
  const expired = error(expiredReason('timer'));
  ref('Timer', timerAnswer);
  return {
    components: { TimerRequest: timerRequestSchema(schema) },
    paths: {
      '/timer': {
        post: {
          summary: 'Create a timer',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'the same key with the same body gives the same timer for 24 hours (201, then 200); with another body: 422',
              schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: timerRequest } } },
          responses: {
            201: json(timerCreatedAnswer, 'accepted: the broker holds the timer on disk', undefined, ['Location']),
            200: json(timerAnswer, 'the timer this Idempotency-Key made before, as it is now', 'Timer', ['Location']),
            400: error('invalid_idempotency_key: the Idempotency-Key is not 1-255 visible ASCII characters'),
            415: error('unsupported_media_type: the body is not sent as application/json'),
            422: error(`validation_failed: a field is wrong (details names each); ${CALLBACK_REFUSED}; idempotency_key_reused: the key came with another body in the last 24 hours`),
            503: error('queue_full (dependency broker): too many timers wait to be stored (INCOMING_QUEUE_MAX_MESSAGES); service_unavailable: the broker did not take the timer', ['Retry-After']),
          },
        },
      },
      '/timer/{id}': {
        get: {
          summary: 'Read a timer',
          parameters: [idParameter],
          responses: { 200: timer('the timer'), 404: error("no such timer (or another owner's)"), 410: expired },
        },
        delete: {
          summary: 'Cancel a timer that has not fired; it never fires, even when already on its way',
          parameters: [idParameter],
          responses: { 200: timer('the timer, now cancelled'), 404: error('no such timer'), 409: notPending, 410: expired },
        },
        patch: {
          summary: 'Reschedule a timer that has not fired (new delay or fire_at) and/or change its URL; the old due time never fires',
          parameters: [idParameter],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  ...reschedule,
                  ...DELAY_AND_FIRE_AT,
                  anyOf: ['hours', 'minutes', 'seconds', 'fire_at', 'url'].map((field) => ({ required: [field] })),
                  description: `A new time, a new url, or both. ${WHEN}`,
                  properties: { ...reschedule.properties, url: URL_RULE },
                },
              },
            },
          },
          responses: {
            200: timer('the timer as it is now'),
            404: error('no such timer'),
            409: notPending,
            410: expired,
            415: error('unsupported_media_type: the body is not sent as application/json'),
            422: error('validation_failed: a field is wrong; callback_refused: the host of url is refused by the address policy'),
          },
        },
      },
      '/timer/{id}/replay': {
        post: {
          summary: 'Replay a failed timer: a new attempt series, same id and idempotency key',
          parameters: [idParameter],
          responses: { 200: timer('the timer, now retrying'), 404: error('no such timer'), 409: error('not_failed: the timer is not failed'), 410: expired },
        },
      },
      '/timers': {
        post: {
          summary: `Create up to ${MAX_BATCH} timers in one request, each answered on its own`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  ...schema(batchRequest, 'input'),
                  properties: { timers: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: timerRequest, description: 'each a POST /timer body; a wrong one gets its own 422 in results' } },
                },
              },
            },
          },
          responses: {
            200: json(batchAnswer, `one result per timer, in order: 201 with the timer, or its error: 422 (validation_failed; ${CALLBACK_REFUSED}) or 503`),
            415: error('unsupported_media_type: the body is not sent as application/json'),
            422: error(`validation_failed: not {"timers": [...]} with 1 to ${MAX_BATCH} items`),
          },
        },
        get: {
          summary: 'List timers, newest first, with filters and cursor pagination',
          parameters: query(listTimersQuery).map((parameter) => (parameter.name === 'cursor' ? { ...parameter, description: 'next_cursor of the previous page (opaque)' } : parameter)),
          responses: { 200: json(timerListAnswer, 'one page'), 422: error('validation_failed: a filter, the limit or the cursor is wrong') },
        },
      },
      '/timers/replay': {
        post: {
          summary: 'Replay the failed timers matching a filter',
          requestBody: { required: false, content: { 'application/json': { schema: schema(bulkReplayRequest, 'input') } } },
          responses: {
            200: json(bulkReplayAnswer, 'the timers replayed'),
            415: error('unsupported_media_type: the body is not sent as application/json'),
            422: error('validation_failed: a filter is wrong'),
          },
        },
      },
    },
  };
}
