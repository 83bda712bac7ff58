// The OpenAPI description of pausing and resuming task execution by type (operators only), merged into
// webserver/openapi/openapi.ts. The answer schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { pauseRequest } from '../tasks/task-type-routes.js';
import { TOKEN } from './openapi-security.js';
import type { Describe } from './openapi-answers.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const taskTypeAnswer = z.object({
  type: z.string().describe('a task type of this configuration'),
  paused: z.boolean().describe('true: a worker that takes one of its tasks holds it (state held) instead of running it'),
  paused_at: isoTime.nullable().describe('when the pause began; null: not paused'),
  paused_until: isoTime.nullable().describe('when the pause ends by itself; null: until resumed, or not paused'),
});
export const taskTypeList = z.object({ types: z.array(taskTypeAnswer) });

export function taskTypePaths({ body, json, error }: Describe) {
  const type = { name: 'type', in: 'path', required: true, schema: { type: 'string' }, description: 'a task type (GET /tasks/types lists them)' };
  const admin = {
    401: error("unauthorized: no bearer token was sent (an admin's is needed); invalid_token: a bad one was sent", ['WWW-Authenticate']),
    403: error("forbidden: the token is not an admin's"),
  };
  const unknown = error('not_found: no task type of that name (the message lists the known ones)');
  return {
    '/tasks/types': {
      get: {
        summary: 'Every task type, and whether it is paused',
        security: TOKEN,
        responses: { 200: json(taskTypeList, 'the task types of this configuration'), ...admin },
      },
    },
    '/tasks/types/{type}/pause': {
      post: {
        summary: 'Pause running the tasks of a type',
        description:
          "Within about TASK_PAUSE_REFRESH_MS (1 s), every worker that takes a task of the type holds it instead of running it: the task's state turns held and its message is acked. When the pause ends (resume, or its until passes), the held tasks are published again, oldest first. Pausing a paused type moves its until. The body is optional.",
        security: TOKEN,
        parameters: [type],
        requestBody: { ...body(pauseRequest), required: false },
        responses: {
          200: json(taskTypeAnswer, 'paused', 'TaskType'),
          ...admin,
          404: unknown,
          415: error('unsupported_media_type: a body was sent, not as application/json'),
          422: error('validation_failed: until is not an ISO 8601 instant, is not in the future, or an unknown field was sent; details names it'),
        },
      },
    },
    '/tasks/types/{type}/resume': {
      post: {
        summary: 'Resume running the tasks of a type',
        description:
          'Ends the pause (resuming a type that is not paused changes nothing) and publishes its held tasks again, oldest first. Should the broker refuse them, the workers publish them at their next look at the pauses, so the answer is 200 either way.',
        security: TOKEN,
        parameters: [type],
        responses: { 200: json(taskTypeAnswer, 'resumed', 'TaskType'), ...admin, 404: unknown },
      },
    },
  };
}
