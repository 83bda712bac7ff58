// parse (the parse service): calls the random-user service (GET /), and records what it returned together with
// the submitted data. A failing or unreachable service is a retryable failure.
import { z } from 'zod';
import { request } from 'undici';
import { defineTask } from './task-type.js';

export const parseArgs = z.object({ data: z.string().max(65_536) }).strict();

export const parseTask = defineTask({
  name: 'parse',
  description: 'fetches a user from the random-user service; result {data, user}',
  args: parseArgs,
  result: z.object({ data: z.string(), user: z.unknown() }),
  run: async ({ data }, { signal, randomUserServiceUrl }) => {
    const response = await request(randomUserServiceUrl, { method: 'GET', signal, headers: { accept: 'application/json' } });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`random-user service answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    return { data, user: JSON.parse(text) as unknown };
  },
});
