// What the dead-letter routes take: how many messages to show, and which messages to requeue or
// discard (some message ids, or all). Every bad field is a 422 naming it.
import { z } from 'zod';
import type { Selection } from '../../common/broker/dead-letter-queues.js';

export const MAX_SHOWN = 500;
/** The most message ids one requeue or discard names. */
export const MAX_MESSAGE_IDS = 1_000;

export const peekQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(MAX_SHOWN, `must be at most ${MAX_SHOWN}`)
    .default(50)
    .describe(`the first this many messages (up to ${MAX_SHOWN})`),
});

export const selectionRequest = z
  .strictObject({
    message_ids: z
      .array(z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters'), { error: 'must be an array of message ids' })
      .min(1, 'must name at least one message id')
      .max(MAX_MESSAGE_IDS, `must name at most ${MAX_MESSAGE_IDS} message ids`)
      .optional()
      .describe('the messages with these message ids (every copy of each)'),
    all: z.literal(true, { error: 'must be true' }).optional().describe('every message of the queue (up to 10,000 a request)'),
  })
  .refine((body) => (body.message_ids === undefined) !== (body.all === undefined), { message: 'give either message_ids or "all": true', path: ['message_ids'] });

export function selectionOf(body: z.infer<typeof selectionRequest>): Selection {
  return body.all ? { all: true } : { messageIds: [...new Set(body.message_ids)] };
}
