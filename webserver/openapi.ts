// The OpenAPI 3.1 description of the API, served at GET /openapi.json. Request bodies come from the
// zod schemas that validate them and answers from the zod schemas below, which the tests check the
// handlers' answers against, so the description cannot drift from the code.
import { z } from 'zod';
import { createTimerRequest, rescheduleTimerRequest } from '../common/timer-request.js';
import { batchRequest, MAX_BATCH } from './batch-routes.js';
import { listTimersQuery, TIMER_STATES } from './list-timers.js';
import { bulkReplayRequest } from './replay-routes.js';
import { HTTP_METHODS } from '../common/access-log-line.js';
import { createLogRequest, LOG_PAGE_DEFAULT, LOG_PAGE_MAX } from '../common/log-request.js';
import { taskPaths } from './openapi-tasks.js';
import { documentationPaths } from './openapi-docs.js';
import { securitySchemes, userPaths, withSecurity } from './openapi-users.js';
import { timerAnswer } from './openapi-timer.js';
import { dashboardPaths } from './openapi-dashboard.js';

export { timerAnswer };

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
export const logRecordAnswer = z.object({
  id: z.uuid().describe('the record id (UUIDv7); also the cursor for GET /api/data?id='),
  created: isoTime.describe('when the webserver accepted the line'),
  log: z.object({
    ip: z.string().describe('IPv4 or IPv6 address'),
    method: z.enum(HTTP_METHODS),
    uri: z.string().describe('origin-form path or absolute http(s) URL'),
    status_code: z.number().int().min(100).max(599),
  }),
});

export const logPageAnswer = z.array(logRecordAnswer);

export const errorAnswer = z.object({
  error: z.string().describe('a stable code, e.g. validation_failed'),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  dependency: z.string().optional(),
});

export const batchAnswer = z.object({
  accepted: z.number().int().min(0),
  refused: z.number().int().min(0),
  results: z.array(z.union([timerCreatedAnswer.extend({ status: z.literal(201) }), errorAnswer.extend({ status: z.number().int() })])),
});

const schema = (type: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io }) as Record<string, unknown>;
  return rest;
};
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const queryParameters = (type: z.ZodObject) => {
  const properties = (schema(type, 'input') as { properties: Record<string, { description?: string }> }).properties;
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
};
const json = (type: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: schema(type) } } });
const error = (description: string) => json(errorAnswer, description);

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'timer service',
      version: '0.1.0',
      description: 'Fires an HTTP webhook at the requested time, runs background tasks, and stores access-log lines it hands out by cursor.',
    },
    components: { securitySchemes },
    paths: withSecurity({
      '/timer': {
        post: {
          summary: 'Create a timer (seed 001)',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'the same key with the same body gives the same timer for 24 hours (201, then 200); with another body: 422',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: schema(createTimerRequest, 'input') } } },
          responses: {
            201: json(timerCreatedAnswer, 'accepted: the broker holds the timer on disk'),
            200: json(timerAnswer, 'the timer this Idempotency-Key made before'),
            400: error('the body is not JSON, or the Idempotency-Key is malformed'),
            413: error('the body is too large'),
            415: error('the body is not application/json'),
            422: error('a field is wrong, or the callback address is refused (error callback_refused); details names each'),
            503: error('the broker is unavailable'),
          },
        },
      },
      '/timer/{id}': {
        get: {
          summary: 'Read a timer',
          parameters: [idParameter],
          responses: {
            200: json(timerAnswer, 'the timer'),
            400: error('the id is not a UUID'),
            404: error('no such timer'),
            503: error('the database is unavailable'),
          },
        },
        delete: {
          summary: 'Cancel a timer that has not fired; it never fires, even when already on its way',
          parameters: [idParameter],
          responses: {
            200: json(timerAnswer, 'the timer, now cancelled'),
            400: error('the id is not a UUID'),
            404: error('no such timer'),
            409: error('the timer is being delivered, has fired or was cancelled (error not_pending, state)'),
            503: error('the database is unavailable'),
          },
        },
        patch: {
          summary: 'Reschedule a timer that has not fired (new delay or fire_at) and/or change its URL; the old due time never fires',
          parameters: [idParameter],
          requestBody: { required: true, content: { 'application/json': { schema: schema(rescheduleTimerRequest, 'input') } } },
          responses: {
            200: json(timerAnswer, 'the timer as it is now'),
            400: error('the id is not a UUID'),
            404: error('no such timer'),
            409: error('the timer is being delivered, has fired or was cancelled (error not_pending, state)'),
            422: error('a field is wrong, or the callback address is refused'),
            503: error('a database is unavailable'),
          },
        },
      },
      '/timer/{id}/replay': {
        post: {
          summary: 'Replay a failed timer: a new attempt series, same id and idempotency key',
          parameters: [idParameter],
          responses: {
            200: json(timerAnswer, 'the timer, now retrying'),
            400: error('the id is not a UUID'),
            404: error('no such timer'),
            409: error('the timer is not failed'),
            503: error('a database is unavailable'),
          },
        },
      },
      '/timers': {
        post: {
          summary: `Create up to ${MAX_BATCH} timers in one request, each answered on its own`,
          requestBody: { required: true, content: { 'application/json': { schema: schema(batchRequest, 'input') } } },
          responses: {
            200: json(batchAnswer, 'one result per timer, in order: 201 with the timer, or its 422/503 error'),
            413: error('the body is too large (4 MiB)'),
            415: error('the body is not application/json'),
            422: error('not {"timers": [...]} with 1 to 1,000 items'),
          },
        },
        get: {
          summary: 'List timers, newest first, with filters and cursor pagination',
          parameters: queryParameters(listTimersQuery),
          responses: {
            200: json(timerListAnswer, 'one page'),
            422: error('a filter, the limit or the cursor is wrong'),
            503: error('the database is unavailable'),
          },
        },
      },
      '/api/data': {
        post: {
          summary: 'Store an access-log line (seed 002)',
          requestBody: { required: true, content: { 'application/json': { schema: schema(createLogRequest, 'input') } } },
          responses: {
            201: json(logRecordAnswer, 'accepted: the broker holds the record on disk'),
            400: error('the body is not JSON'),
            413: error('the body is too large'),
            415: error('the body is not application/json'),
            418: error('the log line does not parse (seed 002); details names the field and why'),
            422: error('the body is not {"log": string}'),
            503: error('the broker is unavailable'),
          },
        },
        get: {
          summary: 'Records in the order they were added, after a cursor (seed 002)',
          parameters: [
            { name: 'id', in: 'query', required: false, description: 'return the records added after this one', schema: { type: 'string', format: 'uuid' } },
            { name: 'limit', in: 'query', required: false, description: `records per answer (default ${LOG_PAGE_DEFAULT})`, schema: { type: 'integer', minimum: 1, maximum: LOG_PAGE_MAX, default: LOG_PAGE_DEFAULT } },
          ],
          responses: {
            200: json(logPageAnswer, 'up to limit records; the last one\'s id is the next cursor; [] when nothing is new'),
            422: error('id is not a UUID or limit is out of range; details names each'),
            404: error('no record with that id'),
            503: error('the database is unavailable'),
          },
        },
      },
      '/timers/replay': {
        post: {
          summary: 'Replay the failed timers matching a filter',
          requestBody: { required: true, content: { 'application/json': { schema: schema(bulkReplayRequest, 'input') } } },
          responses: {
            200: json(bulkReplayAnswer, 'the timers replayed'),
            415: error('the body is not application/json'),
            422: error('a filter is wrong'),
            503: error('a database is unavailable'),
          },
        },
      },
      ...taskPaths({ schema, json, error }),
      ...userPaths({ schema, json, error }),
      ...dashboardPaths({ json, error }),
      '/health': { get: { summary: 'The process is alive', responses: { 200: { description: 'alive' } } } },
      '/ready': { get: { summary: 'Broker and database reachable', responses: { 200: { description: 'ready' }, 503: { description: 'a dependency is down' } } } },
      ...documentationPaths(),
    }),
  };
}
