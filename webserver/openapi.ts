// The OpenAPI 3.1 description of the API, served at GET /openapi.json. Request bodies come from the
// zod schemas that validate them and answers from the zod schemas below, which the tests check the
// handlers' answers against, so the description cannot drift from the code.
import { z } from 'zod';
import { createTimerRequest } from '../common/timer-request.js';
import { taskPaths } from './openapi-tasks.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const timerCreatedAnswer = z.object({
  id: z.uuid().describe('the timer id (UUIDv7)'),
  time_left: z.number().int().min(0).describe('whole seconds until fire_at, rounded up'),
  fire_at: isoTime,
});

export const timerAnswer = z.object({
  id: z.uuid(),
  time_left: z.number().int().min(0).describe('0 once due'),
  url: z.string(),
  fire_at: isoTime,
  created_at: isoTime,
  state: z.enum(['scheduled', 'firing', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  last_attempt_at: isoTime.nullable(),
  last_status: z.number().int().nullable().describe('HTTP status of the last attempt'),
  last_error: z.string().nullable(),
  delivered_at: isoTime.nullable(),
});

export const errorAnswer = z.object({
  error: z.string().describe('a stable code, e.g. validation_failed'),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  dependency: z.string().optional(),
});

const schema = (type: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io }) as Record<string, unknown>;
  return rest;
};
const json = (type: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: schema(type) } } });
const error = (description: string) => json(errorAnswer, description);

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'timer service', version: '0.1.0', description: 'Fires an HTTP webhook at the requested time, and runs background tasks.' },
    paths: {
      '/timer': {
        post: {
          summary: 'Create a timer (seed 001)',
          requestBody: { required: true, content: { 'application/json': { schema: schema(createTimerRequest, 'input') } } },
          responses: {
            201: json(timerCreatedAnswer, 'accepted: the broker holds the timer on disk'),
            400: error('the body is not JSON'),
            413: error('the body is too large'),
            415: error('the body is not application/json'),
            422: error('a field is wrong; details names each'),
            503: error('the broker is unavailable'),
          },
        },
      },
      '/timer/{id}': {
        get: {
          summary: 'Read a timer',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            200: json(timerAnswer, 'the timer'),
            400: error('the id is not a UUID'),
            404: error('no such timer'),
            503: error('the database is unavailable'),
          },
        },
      },
      ...taskPaths({ schema, json, error }),
      '/health': { get: { summary: 'The process is alive', responses: { 200: { description: 'alive' } } } },
      '/ready': { get: { summary: 'Broker and database reachable', responses: { 200: { description: 'ready' }, 503: { description: 'a dependency is down' } } } },
    },
  };
}
