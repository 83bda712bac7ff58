// Reading a message body of the pipeline: JSON of the shape its queue carries, or a PoisonMessageError
// that says why not (the consumer then dead-letters it with that reason).
import { z } from 'zod';
import { PoisonMessageError } from '../errors/poison-message.js';

/** Decodes a message body; throws PoisonMessageError when it is not JSON of the expected shape. */
export function decodeMessage<T>(schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PoisonMessageError('message body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PoisonMessageError(`message has the wrong shape: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
