// parse (the parse service): a worker fetches a user from the random-user service and records it together with the
// submitted data. POST /parse takes the same args as its body.
import { z } from 'zod';
import { defineTaskContract } from './task-contract.js';

export const parseArgs = z.object({ data: z.string().max(65_536) }).strict();

export const parseContract = defineTaskContract({
  name: 'parse',
  description: 'fetches a user from the random-user service; result {data, user}',
  args: parseArgs,
  result: z.object({ data: z.string(), user: z.unknown() }),
});
