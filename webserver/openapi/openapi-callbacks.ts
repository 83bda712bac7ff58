// The answer about a callback, shown with the timer or task whose outcome it tells (callbackView in
// webserver/timers/timer-view.ts): its own delivery's record, each attempt with the receiver's answer.
import { z } from 'zod';
import { CALLBACK_OUTCOMES } from '../../common/webhooks/callbacks.js';
import { MAX_URL_LENGTH } from '../../common/messages/timer-message.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

/** What a callback URL must be in a request (the zod refinement a JSON schema loses), with what it is for. */
export const callbackUrlRule = (purpose: string) => ({
  type: 'string',
  maxLength: MAX_URL_LENGTH,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]',
  description: `${purpose}: an absolute http(s) URL with a host, without user:pass@; a host the address policy refuses (loopback, private, link-local ... unless WEBHOOK_ALLOWED_CIDRS) gets 422 callback_refused naming the field`,
});

export const responseAnswer = z
  .object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    body: z.string().describe('the first bytes of the answer: UTF-8 text, or base64 (body_encoding)'),
    body_encoding: z.enum(['utf8', 'base64']),
    body_bytes: z.number().int().min(0).describe('bytes of body read'),
    body_truncated: z.boolean(),
  })
  .describe("the receiver's answer, as far as it is kept");

export const callbackAnswer = z.object({
  id: z.uuid().describe("the callback's timer id, also its Idempotency-Key and webhook-id: derived from the parent, its series and the outcome"),
  outcome: z.enum(CALLBACK_OUTCOMES).describe('the outcome it tells'),
  url: z.string(),
  state: z.string().describe("the callback's own delivery state, as a timer's"),
  attempts: z.number().int().min(0),
  last_attempt_at: isoTime.nullable(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  delivered_at: isoTime.nullable(),
  next_attempt_at: isoTime.nullable(),
  attempt_history: z.array(
    z.object({
      attempt: z.number().int().min(1),
      series: z.number().int().min(1),
      started_at: isoTime,
      duration_ms: z.number().int().min(0),
      status: z.number().int().nullable(),
      error: z.string().nullable(),
      response: responseAnswer.optional(),
    }),
  ),
});
