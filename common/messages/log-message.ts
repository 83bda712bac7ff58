// The incoming_logs message: one accepted access-log line on its way from a webserver to a
// consumer, with the id and creation time the webserver gave it and answered with.
import { z } from 'zod';
import { formatLogLine, HTTP_METHODS, parseLogLine } from './access-log-line.js';

export const incomingLogMessage = z
  .object({
    id: z.uuid(),
    created: z.number().int().nonnegative().describe('epoch ms'),
    ip: z.string(),
    method: z.enum(HTTP_METHODS),
    uri: z.string(),
    status_code: z.number().int(),
  })
  // The consumer trusts nothing it did not check itself: the fields must still make a valid line.
  .refine((log) => parseLogLine(formatLogLine(log)).ok, 'the fields do not make a valid log line');
export type IncomingLog = z.infer<typeof incomingLogMessage>;

export function encodeLogMessage(log: IncomingLog): Buffer {
  return Buffer.from(JSON.stringify(log));
}
