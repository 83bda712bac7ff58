// The OpenAPI description of outcome callbacks: the rule a callback URL follows in a request, a task's
// outcome callback (webhooks: taskOutcome) and a timer's (webhooks: timerOutcome): the request the
// service sends to callback_url after a successful delivery and to failure_callback_url once a timer has
// failed for good, merged into webserver/openapi/openapi.ts. Its body is what
// common/webhooks/callbacks.ts's timerCallbackBody makes (openapi.test.ts checks one against the other).
import { z } from 'zod';
import { CALLBACK_BODY_MAX_BYTES } from '../../common/webhooks/callbacks.js';
import { MAX_URL_LENGTH } from '../../common/messages/timer-message.js';
import { responseAnswer } from './openapi-timer.js';
import type { Describe } from './openapi-answers.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

/** What a callback URL must be in a request (the zod refinement a JSON schema loses), with what it is for. */
export const callbackUrlRule = (purpose: string) => ({
  type: 'string',
  maxLength: MAX_URL_LENGTH,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]',
  description: `${purpose}: an absolute http(s) URL with a host, without user:pass@; a host the address policy refuses (loopback, private, link-local ... unless WEBHOOK_ALLOWED_CIDRS) gets 422 callback_refused naming the field`,
});

export const timerOutcomeBody = z.object({
  type: z.enum(['timer.delivered', 'timer.failed']),
  timer_id: z.uuid().describe('the timer whose outcome this is (GET /timer/{id})'),
  url: z.string().describe("the timer's destination"),
  schedule_id: z.uuid().nullable().describe('the schedule the timer is a run of; null for a one-off timer'),
  instant: isoTime.nullable().describe("a schedule's run: the instant it ran for"),
  state: z.enum(['delivered', 'failed']),
  attempts: z.number().int().min(1).describe('attempts of the series that ended'),
  replays: z.number().int().min(0).describe("how many times the timer had been replayed: a replayed timer tells each series' outcome"),
  status: z.number().int().nullable().describe("the last attempt's HTTP status; null: no answer"),
  error: z.string().nullable().describe("the last attempt's error (HTTP 500, ECONNREFUSED, timed out after 10000 ms, refused: ...); null when delivered"),
  response: responseAnswer
    .nullable()
    .describe(`the destination's last answer: all its headers and the first ${CALLBACK_BODY_MAX_BYTES / 1024} KiB of its body; null when none came (a network error, a timeout)`),
  fire_at: isoTime.describe('when the timer was due'),
  started_at: isoTime.describe('when the last attempt was sent'),
  finished_at: isoTime.describe('when its answer (or its failure) came'),
  duration_ms: z.number().int().min(0),
});

export const taskOutcomeBody = z.object({
  type: z.enum(['task.succeeded', 'task.failed']),
  task_id: z.uuid().describe('the task whose outcome this is (GET /tasks/{id})'),
  task_type: z.string(),
  state: z.enum(['succeeded', 'failed']),
  result: z.json().nullable().describe("the task's result when it succeeded; null when it failed"),
  error: z.string().nullable().describe('why it failed for good; null when it succeeded'),
  attempts: z.number().int().min(0).describe('attempts of the run that ended'),
  created_at: isoTime,
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
});

const header = (name: string, description: string, required = true) => ({ name, in: 'header', required, description, schema: { type: 'string' } });

const signatureHeaders = (what: string) => [
  header('Idempotency-Key', `${what}'s id; the same on every attempt and on a repeated callback`),
  header('X-Timer-Id', `${what}'s id`),
  header('webhook-id', `${what}'s id (Standard Webhooks; with WEBHOOK_SIGNING_SECRETS)`, false),
  header('webhook-timestamp', 'seconds since the epoch when this attempt was sent (with WEBHOOK_SIGNING_SECRETS)', false),
  header('webhook-signature', 'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">, one per secret (with WEBHOOK_SIGNING_SECRETS)', false),
];

const callbackResponses = (parent: string) => ({
  '2XX': { description: 'the callback is delivered' },
  default: { description: `a network error, a timeout, 408, 429 or 5xx is retried; any other answer fails the callback at once (the ${parent} keeps its outcome)` },
});

/** webhooks: what the service sends, not what it serves. */
export function callbackWebhooks({ ref }: Describe) {
  return {
    taskOutcome: {
      post: {
        summary: "A task's outcome, sent to its result_url (either outcome), callback_url (succeeded) or failure_callback_url (failed for good)",
        description:
          "Made by the worker that stored the outcome, as a timer of the task's owner published before the task's message is acked: delivered at least once, retried with the default retry settings, signed like every webhook. Its id is derived from the task, its run (a retried task tells each run's outcome) and the outcome, so a callback sent twice carries the same id. Its own delivery shows in the task's callbacks (GET /tasks/{id}).",
        parameters: signatureHeaders('the callback'),
        requestBody: { required: true, content: { 'application/json': { schema: ref('TaskOutcome', taskOutcomeBody) } } },
        responses: callbackResponses('task'),
      },
    },
    timerOutcome: {
      post: {
        summary: "A timer's outcome, sent to its callback_url (delivered) or failure_callback_url (failed for good)",
        description:
          "A callback is itself a timer of the timer's owner, stored in the same statement as the outcome it tells: it is delivered at least once, retried with the default retry settings, signed like every webhook, and limited by the per-host limits and pauses (not by the timer's flow-control key). Its id (Idempotency-Key, webhook-id, X-Timer-Id) is derived from the timer, its replay series and the outcome, so a callback sent twice carries the same id. Its own delivery shows in the timer's callbacks (GET /timer/{id}) and at GET /timer/{callback id}; a failing callback never changes the timer's outcome.",
        parameters: signatureHeaders('the callback'),
        requestBody: { required: true, content: { 'application/json': { schema: ref('TimerOutcome', timerOutcomeBody) } } },
        responses: callbackResponses('timer'),
      },
    },
  };
}
