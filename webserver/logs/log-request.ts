// The requests of the access-log API: the body of POST /api/data and the query of GET /api/data.
import { z } from 'zod';

export const LOG_PAGE_DEFAULT = 1_000;
export const LOG_PAGE_MAX = 10_000;

export const createLogRequest = z.strictObject(
  { log: z.string({ error: 'must be a string' }).describe("'<IP> <METHOD> <URI> <STATUS>'") },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
);

export const logPageQuery = z.object({
  id: z.uuid({ error: 'must be the id (a UUID) of a record' }).optional().describe('return the records added after this one'),
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(LOG_PAGE_MAX, `must be at most ${LOG_PAGE_MAX}`)
    .default(LOG_PAGE_DEFAULT)
    .describe(`records per answer (default ${LOG_PAGE_DEFAULT}, at most ${LOG_PAGE_MAX})`),
});
