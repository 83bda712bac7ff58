// parse (the parse service): calls the random-user service (GET /), and records what it returned together with
// the submitted data. A failing or unreachable service is a retryable failure.
import { request } from 'undici';
import { parseContract } from '../../common/tasks/parse.js';
import { defineTask } from './task-type.js';

export const parseTask = defineTask(parseContract, async ({ data }, { signal, randomUserServiceUrl }) => {
  const response = await request(randomUserServiceUrl, { method: 'GET', signal, headers: { accept: 'application/json' } });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`random-user service answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
  return { data, user: JSON.parse(text) as unknown };
});
