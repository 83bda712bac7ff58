// The OpenAPI description of the schedule routes (POST /schedules, GET /schedules and /schedules/{id},
// PATCH, DELETE, pause, resume and run), merged into webserver/openapi/openapi.ts. The answer schemas
// are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { TIMER_STATES } from '../../common/store/timers.js';
import { WEBHOOK_METHODS } from '../../common/webhooks/webhook-shape.js';
import { CATCH_UP, createScheduleRequest, OVERLAP, patchScheduleRequest } from '../schedules/schedule-request.js';
import { MAX_PAGE } from '../schedules/schedule-routes.js';
import type { Describe } from './openapi-answers.js';
import { OUTCOME_CALLBACK_PROPERTIES } from './openapi-timers.js';

type Json = Record<string, unknown>;

const isoTime = z.string().describe('ISO 8601 instant, UTC');

const instantAnswer = z.object({ at: isoTime, local: z.string().describe("the same instant as wall time in the schedule's time zone, with its offset") });

const runAnswer = z.object({
  timer_id: z.uuid().describe('the run is this timer: GET /timer/{id}'),
  instant: isoTime.nullable().describe('the scheduled instant'),
  fire_at: isoTime.describe('the instant plus the jitter'),
  state: z.enum(TIMER_STATES).describe("the timer's state; skipped: overlap or catch_up kept it from firing (last_error says which)"),
  attempts: z.number().int().min(0),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  delivered_at: isoTime.nullable(),
});

export const scheduleAnswer = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  cron: z.string().nullable(),
  every_s: z.number().nullable().describe('the interval in seconds; null for a cron'),
  timezone: z.string(),
  url: z.string().nullable().describe('the webhook; null for a task schedule'),
  task: z.object({ type: z.string(), args: z.json() }).nullable(),
  method: z.enum(WEBHOOK_METHODS).nullable(),
  headers: z.record(z.string(), z.string()),
  body: z.json().nullable().describe('the webhook body; null: {"id", "schedule_id", "instant"}'),
  max_attempts: z.number().int().nullable().describe('null: the configured default'),
  timeout_s: z.number().nullable(),
  retry_backoff_s: z.number().nullable(),
  retry_max_backoff_s: z.number().nullable(),
  start_at: isoTime.nullable(),
  end_at: isoTime.nullable(),
  overlap: z.enum(OVERLAP),
  catch_up: z.enum(CATCH_UP),
  jitter_s: z.number(),
  paused: z.boolean(),
  flow_control: z.object({ key: z.string() }).nullable().describe("the flow-control key every run names (the limits are the key's: GET /flow-control/{key}); null: none"),
  callback_url: z.string().nullable().describe("every run's callback_url: called after the run's successful delivery; null: none"),
  failure_callback_url: z.string().nullable().describe("every run's failure_callback_url: called once the run has failed for good; null: none"),
  retention_s: z.number().int().nullable().describe("every run's (and its task's) retention_s: seconds it is kept once finished; null: the default of its outcome"),
  state: z.enum(['active', 'paused', 'ended']).describe('ended: no instant is left before end_at'),
  created_at: isoTime,
  updated_at: isoTime,
  next_instants: z.array(instantAnswer).max(5).describe('the next five instants (the first may be due already while the service catches up); empty while paused or ended'),
  last_runs: z.array(runAnswer).optional().describe('the latest runs, newest first (GET /schedules/{id}, PATCH, pause, resume)'),
});

export const scheduleListAnswer = z.object({
  schedules: z.array(scheduleAnswer).describe('newest first'),
  next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
});

export const scheduleRunAnswer = z.object({ schedule_id: z.uuid(), timer_id: z.uuid().describe('the run: GET /timer/{id}'), fire_at: isoTime });

const CADENCE =
  'Exactly one of cron (5 fields, or 6 with seconds first: ranges, steps, lists, month and day names, @daily ...) and every ("90s", "15m", "1h30m", "2d", or seconds; at least 1 s). ' +
  'Exactly one of url (a webhook as POST /timer takes it, with method, headers, body and the retry settings) and task ({type, args}, as POST /tasks takes them). ' +
  'Cron fields are wall-clock times in timezone: a wall time skipped by a daylight-saving change runs shifted forward by the gap (02:30 in a 02:00 -> 03:00 gap runs at 03:30), a wall time that happens twice runs once, at the first; every is elapsed time. ' +
  'flow_control {key, rate?, period_s?, parallelism?} names the key every run waits on (its limits, when given, are set on the key). ' +
  'callback_url and failure_callback_url are named by every run, as POST /timer takes them (null: none). ' +
  'An invalid cron, an unknown zone, a cron that never fires or end_at before start_at is a 422 naming the field.';

/** A request schema with the outcome callbacks' URLs held to the rule of POST /timer's, null allowed. */
function withCallbackUrls(request: Json): Json {
  const properties = request.properties as Record<string, Json>;
  const nullable = (rule: Json) => ({ anyOf: [rule, { type: 'null' }], description: rule.description });
  const { callback_url, failure_callback_url } = OUTCOME_CALLBACK_PROPERTIES;
  return { ...request, properties: { ...properties, callback_url: nullable(callback_url), failure_callback_url: nullable(failure_callback_url) } };
}

export function schedulePaths(describe: Describe) {
  const { schema, json, error } = describe;
  const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const schedule = (description: string) => json(scheduleAnswer, description, 'Schedule');
  const create = withCallbackUrls(schema(createScheduleRequest, 'input'));
  const patch = withCallbackUrls(schema(patchScheduleRequest, 'input'));
  const badId = error('invalid_id: the id is not a UUID');
  const missing = error("no such schedule (or another owner's)");
  const invalid = error(
    'validation_failed: a field is wrong (details names each); callback_refused: a host the address policy refuses in url, callback_url or failure_callback_url (details[].field names which)',
  );
  const notJson = error('unsupported_media_type: the body is not sent as application/json');
  return {
    '/schedules': {
      post: {
        summary: 'Create a recurring schedule: each run is a timer',
        requestBody: { required: true, content: { 'application/json': { schema: { ...create, description: CADENCE } } } },
        responses: { 201: json(scheduleAnswer, 'the schedule, with its next instants', 'Schedule', ['Location']), 415: notJson, 422: invalid },
      },
      get: {
        summary: 'List schedules, newest first, with cursor pagination',
        parameters: [
          { name: 'paused', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } },
          { name: 'name_prefix', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 50 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'next_cursor of the previous page (opaque)' },
        ],
        responses: { 200: json(scheduleListAnswer, 'one page'), 422: error('validation_failed: a filter, the limit or the cursor is wrong') },
      },
    },
    '/schedules/{id}': {
      get: { summary: 'Read a schedule: next instants and last runs', parameters: [idParameter], responses: { 200: schedule('the schedule'), 400: badId, 404: missing } },
      patch: {
        summary: 'Change any field of a schedule; runs not yet fired are replaced by the new cadence',
        parameters: [idParameter],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { ...patch, description: `Any field of POST /schedules; null clears name, start_at, end_at, flow_control, callback_url, failure_callback_url. ${CADENCE}` } },
          },
        },
        responses: { 200: schedule('the schedule as it is now'), 400: badId, 404: missing, 415: notJson, 422: invalid },
      },
      delete: {
        summary: 'Delete a schedule; its runs not yet fired are cancelled (a run being delivered goes on)',
        parameters: [idParameter],
        responses: { 204: { description: 'deleted' }, 400: badId, 404: missing },
      },
    },
    '/schedules/{id}/pause': {
      post: {
        summary: 'Pause a schedule: no instant runs until it is resumed (a run already materialised is cancelled)',
        parameters: [idParameter],
        responses: { 200: schedule('the schedule, paused'), 400: badId, 404: missing },
      },
    },
    '/schedules/{id}/resume': {
      post: {
        summary: 'Resume a schedule from the next instant after now (instants passed while paused do not run)',
        parameters: [idParameter],
        responses: { 200: schedule('the schedule, active'), 400: badId, 404: missing },
      },
    },
    '/schedules/{id}/run': {
      post: {
        summary: 'One run now, outside the cadence (the next instants are unchanged)',
        parameters: [idParameter],
        responses: { 202: json(scheduleRunAnswer, 'the run is a timer due now'), 400: badId, 404: missing },
      },
    },
  };
}
