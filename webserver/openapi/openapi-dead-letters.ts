// The OpenAPI description of the dead-letter routes (an admin's), merged into webserver/openapi/openapi.ts.
// The answer schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { DEAD_LETTER_QUEUES, MAX_SCANNED } from '../../common/broker/dead-letter-queues.js';
import { BODY_SHOWN_BYTES } from '../../common/broker/dead-letter-view.js';
import { MAX_SHOWN, peekQuery, selectionRequest } from '../dead-letters/dead-letter-request.js';
import { TOKEN } from './openapi-security.js';
import type { Describe } from './openapi-answers.js';

const queueName = z.enum(DEAD_LETTER_QUEUES).describe('the work queue the .dead queue belongs to, by its short name');
const deadQueueName = z.string().describe('the .dead queue on the broker (with QUEUE_PREFIX)');

export const deadLetterQueuesAnswer = z.object({
  queues: z.array(z.object({ queue: queueName, dead_letter_queue: deadQueueName, messages: z.number().int().min(0).nullable().describe('ready; null: the broker has no such queue') })),
  messages: z.number().int().min(0).describe('in all .dead queues together'),
});

export const deadLetterAnswer = z.object({
  message_id: z.string().nullable().describe('the message id (a timer, task or log record id); null: the message has none, only "all" reaches it'),
  reason: z.string().describe('x-dead-reason; for a message the broker dead-lettered (a nack), derived from its x-death header'),
  from_queue: z.string().describe('the queue it was dead-lettered from (with QUEUE_PREFIX)'),
  dead_lettered_at: z.string().nullable().describe('ISO 8601 instant, UTC (x-dead-at, or the x-death time); null when neither is there'),
  content_type: z.string().nullable(),
  body: z.unknown().describe(`the body: JSON when it parses and is at most ${BODY_SHOWN_BYTES} bytes, else text (its first ${BODY_SHOWN_BYTES} bytes as UTF-8)`),
  body_format: z.enum(['json', 'text']),
  body_bytes: z.number().int().min(0).describe('the whole body'),
  truncated: z.boolean().describe(`the body is longer than the ${BODY_SHOWN_BYTES} bytes shown`),
});

export const deadLetterPeekAnswer = z.object({
  queue: queueName,
  dead_letter_queue: deadQueueName,
  messages: z.number().int().min(0).describe('ready in the .dead queue'),
  dead_letters: z.array(deadLetterAnswer).describe(`the first ones, oldest first (up to limit, ${MAX_SHOWN} at most)`),
});

const moveFields = {
  queue: queueName,
  not_found: z.array(z.string()).describe('ids of message_ids no message looked at carries (a message another request holds at the moment is not seen)'),
  scanned: z.number().int().min(0).describe(`messages looked at (at most ${MAX_SCANNED}, and only those there when the request began)`),
  scan_limit_reached: z.boolean().describe(`the queue held more than ${MAX_SCANNED} messages: the rest were not looked at; send the request again`),
  message: z.string().optional().describe('with scan_limit_reached'),
};
export const requeueAnswer = z.object({ requeued: z.number().int().min(0).describe('messages published back to their work queue (every copy of an id)'), ...moveFields });
export const discardAnswer = z.object({ discarded: z.number().int().min(0).describe('messages dropped (every copy of an id)'), ...moveFields });

export function deadLetterPaths({ body, query, json, error }: Describe) {
  const queueParameter = { name: 'queue', in: 'path', required: true, schema: { type: 'string', enum: [...DEAD_LETTER_QUEUES] } };
  const access = { 403: error("forbidden: the token is not an admin's") };
  const notFound = error('not_found: no dead-letter queue has this name, or the broker has no such .dead queue');
  const refused = error('unsupported_media_type: the body is not sent as application/json');
  const invalid = error('validation_failed: neither or both of message_ids and all, or a bad message id; details names the field');
  return {
    '/dead-letters': {
      get: {
        summary: 'The dead-letter queues and how many messages each holds (admin)',
        security: TOKEN,
        responses: { 200: json(deadLetterQueuesAnswer, 'every .dead queue'), ...access },
      },
    },
    '/dead-letters/{queue}': {
      get: {
        summary: 'The first messages of a .dead queue, left in it (admin)',
        description:
          'Each message is taken with basic.get and nacked back when the request ends, so it stays in the queue, in its place. While the request holds them, another request does not see them: two reads at once may each see part of the queue.',
        security: TOKEN,
        parameters: [queueParameter, ...query(peekQuery)],
        responses: { 200: json(deadLetterPeekAnswer, 'the first messages'), ...access, 404: notFound, 422: error('validation_failed: a bad limit') },
      },
    },
    '/dead-letters/{queue}/requeue': {
      post: {
        summary: 'Send messages of a .dead queue back to their work queue, without the dead-lettering headers (admin)',
        description: `Each message is published to the work queue and its dead copy acked once the broker confirmed the publish: a crash in between leaves a duplicate, never a loss; the pipeline drops duplicates. At most ${MAX_SCANNED} messages are looked at a request.`,
        security: TOKEN,
        parameters: [queueParameter],
        requestBody: body(selectionRequest),
        responses: { 200: json(requeueAnswer, 'what was requeued'), ...access, 404: notFound, 415: refused, 422: invalid },
      },
    },
    '/dead-letters/{queue}/discard': {
      post: {
        summary: 'Drop messages of a .dead queue (admin)',
        description: `At most ${MAX_SCANNED} messages are looked at a request.`,
        security: TOKEN,
        parameters: [queueParameter],
        requestBody: body(selectionRequest),
        responses: { 200: json(discardAnswer, 'what was dropped'), ...access, 404: notFound, 415: refused, 422: invalid },
      },
    },
  };
}
