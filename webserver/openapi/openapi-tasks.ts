// The OpenAPI description of the task API and of the sum and parse services' routes, merged into
// webserver/openapi/openapi.ts. The answer schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { TASK_STATES } from '../../common/store/tasks.js';
import { listTasksQuery, submitTaskRequest } from '../tasks/task-request.js';
import { parseArgs } from '../../common/tasks/parse.js';
import { submittableContracts, taskContracts } from '../../common/tasks/contracts.js';
import { expiredReason, type Describe } from './openapi-answers.js';
import { callbackUrlRule } from './openapi-callbacks.js';
import { callbackAnswer } from './openapi-timer.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');
const taskId = z.uuid().describe('the task id (UUIDv7)');

export const taskAnswer = z.object({
  id: taskId,
  type: z.string(),
  args: z.unknown(),
  state: z.enum(TASK_STATES).describe('queued, running, succeeded, failed, cancelled, or held: taken while its type was paused, it waits in the database and is published again when the pause ends'),
  result: z.unknown().describe('the result once succeeded, else null'),
  error: z.string().nullable().describe('why the last attempt failed'),
  attempts: z.number().int().min(0).describe('deliveries started'),
  max_attempts: z.number().int().min(1),
  timeout_s: z.number(),
  run_at: isoTime.describe('when it may start (a delayed task, or its next retry)'),
  created_at: isoTime,
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
  flow_control: z.object({ key: z.string() }).nullable().describe("the flow-control key its starts wait on, retries included (its owner's); null: none"),
  result_url: z.string().nullable().describe('told when the task succeeds or fails for good; null: nowhere'),
  callback_url: z.string().nullable().describe('told when the task succeeds; null: nowhere'),
  failure_callback_url: z.string().nullable().describe('told when the task fails for good; null: nowhere'),
  retention_s: z
    .number()
    .int()
    .nullable()
    .describe('seconds it is kept once finished, as the task asked; null: the default of its outcome (RETENTION_SUCCEEDED_S, RETENTION_FAILED_S, RETENTION_CANCELLED_S)'),
  expires_at: isoTime.nullable().describe('once finished: from when retention may remove it (removed within about a day after); null until it finishes'),
  callbacks: z
    .array(callbackAnswer)
    .optional()
    .describe('GET /tasks/{id} only: the callbacks that told its outcomes (a retried task has one set per run), oldest first; each is delivered, retried and signed as a timer is'),
});

export const taskAccepted = z.object({ id: taskId, state: z.enum(TASK_STATES) });
export const taskList = z.object({ tasks: z.array(taskAnswer), next_cursor: z.uuid().nullable().describe('pass as ?cursor= for the next page; null on the last') });
export const sessionAnswer = z.object({ session_id: taskId });
export const parseAccepted = z.object({ task_id: taskId });
export const parserResult = z.object({ task_id: taskId, status: z.enum(TASK_STATES), result: z.unknown(), error: z.string().nullable() });
export const asyncParserAccepted = z.object({ status: z.literal('accepted') });
const taskState = z.enum(TASK_STATES);

const numbers = z.array(z.number()).min(1);
const sumRequest = z
  .union([numbers, z.object({ numbers })])
  .describe(
    'Either a JSON list of numbers, e.g. [1, 2.5, -3], or an object {"numbers": [...]}. At least one number, at most SUM_MAX_NUMBERS (10,000 by default); every item a finite number. Read as JSON whatever the Content-Type.',
  );

type Json = Record<string, unknown>;

// The types a client may submit: those of a production configuration, without the ones only the service enqueues.
const PUBLIC_TYPES = submittableContracts(taskContracts({ testing: false }));

/** POST /tasks's body: `type` one of the public types, and `args` checked against that type's schema. */
function submitSchema(schema: Describe['schema']): Json {
  const base = schema(submitTaskRequest, 'input') as Json & { properties: Record<string, Json> };
  return {
    ...base,
    description: 'give delay_seconds or run_at, not both (neither: start now)',
    not: { required: ['delay_seconds', 'run_at'] },
    properties: {
      ...base.properties,
      result_url: callbackUrlRule('told when the task succeeds or fails for good (webhooks: taskOutcome)'),
      callback_url: callbackUrlRule('told when the task succeeds (webhooks: taskOutcome)'),
      failure_callback_url: callbackUrlRule('told when the task fails for good (webhooks: taskOutcome)'),
      type: {
        type: 'string',
        enum: PUBLIC_TYPES.map((type) => type.name),
        description: `the task type: ${PUBLIC_TYPES.map((type) => `${type.name} (${type.description})`).join('; ')}. A stack started with TASK_TESTING_TYPES=true also takes sleep, crash, flaky and fail.`,
      },
    },
    allOf: PUBLIC_TYPES.map((type) => ({
      if: { properties: { type: { const: type.name } }, required: ['type'] },
      then: { properties: { args: schema(type.args, 'input') } },
    })),
  };
}

export function taskPaths({ schema, body, query, json, error, errorWith }: Describe) {
  const id = (name: string, where: 'path' | 'query' = 'path') => ({ name, in: where, required: true, schema: { type: 'string', format: 'uuid' } });
  const taskFailed = errorWith('TaskFailed', { session_id: taskId }, 'task_failed: the sum task failed or was cancelled (message: why)');
  const sumBody = { required: true, content: { 'application/json': { schema: schema(sumRequest, 'input') } } };
  return {
    '/tasks': {
      post: {
        summary: 'Submit a background task',
        parameters: [
          {
            name: 'wait',
            in: 'query',
            required: false,
            schema: { type: 'number', minimum: 0, maximum: 25 },
            description: 'hold the request up to this many seconds (at most TASK_MAX_WAIT_S) for the outcome',
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: submitSchema(schema) } } },
        responses: {
          200: json(taskAnswer, 'with ?wait=: the task finished within the wait', 'Task', ['Location']),
          202: json(taskAccepted, 'accepted: stored, and the broker holds its message (or its timer, when delayed); poll GET /tasks/{id}', undefined, ['Location']),
          415: error('unsupported_media_type: the body is not sent as application/json'),
          422: error(
            'validation_failed: unknown type, args that do not fit it, a bad field or ?wait=; details names each. callback_refused: result_url, callback_url or failure_callback_url names a host the address policy refuses; details names the field',
          ),
        },
      },
      get: {
        summary: 'List tasks, newest first',
        parameters: query(listTasksQuery),
        responses: { 200: json(taskList, 'a page of tasks'), 422: error('validation_failed: a bad filter (e.g. an unknown state), cursor or limit; details names the field') },
      },
    },
    '/tasks/{id}': {
      get: {
        summary: 'Read a task',
        description:
          'With the callbacks that told its outcome, when it names result_url, callback_url or failure_callback_url. A callback POSTs {"type": "task.succeeded" | "task.failed", task_id, task_type, state, result, error, attempts, created_at, started_at, finished_at}.',
        parameters: [id('id')],
        responses: { 200: json(taskAnswer, 'the task', 'Task'), 404: error('no such task'), 410: error(expiredReason('task')) },
      },
    },
    '/tasks/{id}/cancel': {
      post: {
        summary: 'Cancel a task that has not started',
        parameters: [id('id')],
        responses: {
          200: json(taskAnswer, 'cancelled', 'Task'),
          404: error('no such task'),
          410: error(expiredReason('task')),
          409: errorWith('TaskConflict', { state: taskState }, 'not_cancellable: the task is running or finished (state says which)'),
        },
      },
    },
    '/tasks/{id}/retry': {
      post: {
        summary: 'Retry a failed task',
        description:
          "The task starts over: queued, attempts 0, error and result cleared, and its message published again (the answer waits for the broker's confirm). Only a failed task can be retried.",
        parameters: [id('id')],
        responses: {
          200: json(taskAnswer, 'queued again', 'Task'),
          404: error("no such task (or another owner's)"),
          410: error(expiredReason('task')),
          409: errorWith('TaskConflict', { state: taskState }, 'not_failed: the task is not failed (state says what it is)'),
          503: error('service_unavailable (dependency broker or database): the task was not retried and is still failed', ['Retry-After']),
        },
      },
    },
    '/sync/sum': {
      post: {
        summary: 'The sum of a list, computed by a worker',
        requestBody: sumBody,
        responses: {
          200: { description: 'the sum, as a bare JSON number', content: { 'application/json': { schema: { type: 'number' } } } },
          202: json(sessionAnswer, 'not finished within TASK_MAX_WAIT_S: poll /async/get_task_result', undefined, ['Location']),
          422: error('validation_failed: empty, oversized, or not a list of finite numbers'),
          500: taskFailed,
        },
      },
    },
    '/async/post_task': {
      post: {
        summary: 'Submit a sum',
        requestBody: sumBody,
        responses: { 200: json(sessionAnswer, 'the session id to poll with'), 422: error('validation_failed: as for /sync/sum') },
      },
    },
    '/async/get_task_result': {
      get: {
        summary: "A sum's result",
        parameters: [{ ...id('session_id', 'query') }],
        responses: {
          200: { description: 'null while not finished, then the sum', content: { 'application/json': { schema: { type: ['number', 'null'] } } } },
          400: error('invalid_id: session_id missing or not a UUID'),
          404: error('no such session'),
          410: error(expiredReason('session')),
          500: taskFailed,
        },
      },
    },
    '/parse': {
      post: {
        summary: 'Submit a parse task',
        requestBody: body(parseArgs),
        responses: { 200: json(parseAccepted, 'the task id', undefined, ['Location']), 422: error('validation_failed: the body is not {"data": "<text>"}') },
      },
    },
    '/parser_results/{task_id}': {
      get: {
        summary: "A parse task's status and result",
        parameters: [id('task_id')],
        responses: { 200: json(parserResult, 'status and result'), 404: error('no such parse task'), 410: error(expiredReason('parse task')) },
      },
    },
    '/async_parser': {
      get: {
        summary: 'Submit a parse task fire-and-forget',
        parameters: [{ name: 'data', in: 'query', required: false, schema: { type: 'string', maxLength: 2_048, default: '' } }],
        responses: { 202: json(asyncParserAccepted, 'accepted; no id is given'), 422: error('validation_failed: data is longer than 2,048 characters or given twice') },
      },
    },
  };
}
