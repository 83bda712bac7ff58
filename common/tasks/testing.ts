// Task types for the tests and for trying failure handling by hand; known only with
// TASK_TESTING_TYPES=true, never in a production configuration.
import { z } from 'zod';
import { defineTaskContract } from './task-contract.js';

export const sleepContract = defineTaskContract({
  name: 'sleep',
  description: 'waits args.ms (testing)',
  args: z.object({ ms: z.number().int().min(0).max(600_000) }).strict(),
  result: z.object({ slept_ms: z.number() }),
});

export const crashContract = defineTaskContract({
  name: 'crash',
  description: 'kills its worker process with SIGKILL (testing: a poison task)',
  args: z.object({}).strict(),
  result: z.null(),
});

export const flakyContract = defineTaskContract({
  name: 'flaky',
  description: 'fails its first args.failures attempts, then succeeds (testing)',
  args: z.object({ failures: z.number().int().min(0).max(100) }).strict(),
  result: z.object({ attempt: z.number() }),
});

export const failContract = defineTaskContract({
  name: 'fail',
  description: 'fails permanently with args.message (testing)',
  args: z.object({ message: z.string().max(1_000) }).strict(),
  result: z.null(),
});
