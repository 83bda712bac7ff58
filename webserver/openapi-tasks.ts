// The OpenAPI description of the task API and of seeds 003 and 000's routes, merged into
// webserver/openapi.ts. The answer schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { TASK_STATES } from '../common/task-store.js';
import { submitTaskRequest } from './task-request.js';
import { parseArgs } from '../worker/tasks/parse.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');
const taskId = z.uuid().describe('the task id (UUIDv7)');

export const taskAnswer = z.object({
  id: taskId,
  type: z.string(),
  args: z.unknown(),
  state: z.enum(TASK_STATES),
  result: z.unknown().describe('the result once succeeded, else null'),
  error: z.string().nullable().describe('why the last attempt failed'),
  attempts: z.number().int().min(0).describe('deliveries started'),
  max_attempts: z.number().int().min(1),
  timeout_s: z.number(),
  run_at: isoTime.describe('when it may start (a delayed task, or its next retry)'),
  created_at: isoTime,
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
});

export const taskAccepted = z.object({ id: taskId, state: z.enum(TASK_STATES) });
export const taskList = z.object({ tasks: z.array(taskAnswer), next_cursor: z.uuid().nullable().describe('pass as ?cursor= for the next page; null on the last') });
export const sessionAnswer = z.object({ session_id: taskId });
export const parseAccepted = z.object({ task_id: taskId });
export const parserResult = z.object({ task_id: taskId, status: z.enum(TASK_STATES), result: z.unknown(), error: z.string().nullable() });

const numbers = z.array(z.number()).min(1);
const sumRequest = z.union([numbers, z.object({ numbers })]).describe(
  'Either a JSON list of numbers, e.g. [1, 2.5, -3], or an object {"numbers": [...]}. At least one number, at most SUM_MAX_NUMBERS (10,000 by default); every item a finite number. Read as JSON whatever the Content-Type.',
);

type Helpers = {
  schema: (type: z.ZodType, io?: 'input' | 'output') => Record<string, unknown>;
  json: (type: z.ZodType, description: string) => unknown;
  error: (description: string) => unknown;
};

export function taskPaths({ schema, json, error }: Helpers) {
  const body = (type: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(type, 'input') } } });
  const id = (name: string, where: 'path' | 'query' = 'path') => ({ name, in: where, required: true, schema: { type: 'string', format: 'uuid' } });
  return {
    '/tasks': {
      post: {
        summary: 'Submit a background task (issue 5)',
        parameters: [{ name: 'wait', in: 'query', required: false, schema: { type: 'number', minimum: 0, maximum: 25 }, description: 'hold the request up to this many seconds (TASK_MAX_WAIT_S) for the outcome' }],
        requestBody: body(submitTaskRequest),
        responses: {
          200: json(taskAnswer, 'with ?wait=: the task finished within the wait'),
          202: json(taskAccepted, 'accepted: stored, and the broker holds its message (or its timer, when delayed); poll GET /tasks/{id}'),
          400: error('the body is not JSON'),
          415: error('the body is not application/json'),
          422: error('unknown type, args that do not fit it, or a bad field; details names each'),
          503: error('the broker or the database is unavailable'),
        },
      },
      get: {
        summary: 'List tasks, newest first',
        parameters: ['type', 'state', 'created_after', 'created_before', 'cursor', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
        responses: { 200: json(taskList, 'a page of tasks'), 422: error('a bad filter') },
      },
    },
    '/tasks/{id}': {
      get: { summary: 'Read a task', parameters: [id('id')], responses: { 200: json(taskAnswer, 'the task'), 400: error('not a UUID'), 404: error('no such task') } },
    },
    '/tasks/{id}/cancel': {
      post: {
        summary: 'Cancel a task that has not started',
        parameters: [id('id')],
        responses: { 200: json(taskAnswer, 'cancelled'), 404: error('no such task'), 409: error('the task is running or finished') },
      },
    },
    '/sync/sum': {
      post: {
        summary: 'The sum of a list, computed by a worker (seed 003)',
        requestBody: { required: true, content: { 'application/json': { schema: schema(sumRequest, 'input') } } },
        responses: {
          200: { description: 'the sum, as a bare JSON number', content: { 'application/json': { schema: { type: 'number' } } } },
          202: json(sessionAnswer, 'not finished within TASK_MAX_WAIT_S: poll /async/get_task_result'),
          422: error('empty, oversized, or not a list of finite numbers'),
          500: error('the task failed'),
          503: error('the broker or the database is unavailable'),
        },
      },
    },
    '/async/post_task': {
      post: {
        summary: 'Submit a sum (seed 003)',
        requestBody: { required: true, content: { 'application/json': { schema: schema(sumRequest, 'input') } } },
        responses: { 200: json(sessionAnswer, 'the session id to poll with'), 422: error('as for /sync/sum'), 503: error('a dependency is unavailable') },
      },
    },
    '/async/get_task_result': {
      get: {
        summary: "A sum's result (seed 003)",
        parameters: [{ ...id('session_id', 'query') }],
        responses: {
          200: { description: 'null while not finished, then the sum', content: { 'application/json': { schema: { type: ['number', 'null'] } } } },
          400: error('session_id missing or not a UUID'),
          404: error('no such session'),
          500: error('the task failed'),
        },
      },
    },
    '/parse': {
      post: {
        summary: 'Submit a parse task (seed 000)',
        requestBody: body(parseArgs),
        responses: { 200: json(parseAccepted, 'the task id'), 422: error('the body is not {"data": "<text>"}'), 503: error('a dependency is unavailable') },
      },
    },
    '/parser_results/{task_id}': {
      get: { summary: "A parse task's status and result (seed 000)", parameters: [id('task_id')], responses: { 200: json(parserResult, 'status and result'), 404: error('no such parse task') } },
    },
    '/async_parser': {
      get: {
        summary: 'Submit a parse task fire-and-forget (seed 000)',
        parameters: [{ name: 'data', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { 202: { description: 'accepted; no id is given' }, 503: error('a dependency is unavailable') },
      },
    },
  };
}
