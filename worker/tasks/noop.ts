// noop: does nothing and succeeds; the benchmark measures the task pipeline's own cost with it.
import { z } from 'zod';
import { defineTask } from './task-type.js';

export const noopTask = defineTask({
  name: 'noop',
  description: 'does nothing; result null',
  args: z.object({}).strict(),
  result: z.null(),
  run: async () => null,
});
