// noop: does nothing and succeeds; the benchmark measures the task pipeline's own cost with it.
import { z } from 'zod';
import { defineTaskContract } from './task-contract.js';

export const noopContract = defineTaskContract({
  name: 'noop',
  description: 'does nothing; result null',
  pure: true,
  args: z.object({}).strict(),
  result: z.null(),
});
