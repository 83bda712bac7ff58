// Task types for the tests and for trying failure handling by hand; registered only with
// TASK_TESTING_TYPES=true, never in a production configuration.
import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask, PermanentTaskError } from './task-type.js';

export const sleepTask = defineTask({
  name: 'sleep',
  description: 'waits args.ms (testing)',
  args: z.object({ ms: z.number().int().min(0).max(600_000) }).strict(),
  result: z.object({ slept_ms: z.number() }),
  run: async ({ ms }, { signal }) => {
    await sleep(ms, undefined, { signal });
    return { slept_ms: ms };
  },
});

export const crashTask = defineTask({
  name: 'crash',
  description: 'kills its worker process with SIGKILL (testing: a poison task)',
  args: z.object({}).strict(),
  result: z.null(),
  run: async () => {
    process.kill(process.pid, 'SIGKILL');
    return new Promise<null>(() => undefined);
  },
});

export const flakyTask = defineTask({
  name: 'flaky',
  description: 'fails its first args.failures attempts, then succeeds (testing)',
  args: z.object({ failures: z.number().int().min(0).max(100) }).strict(),
  result: z.object({ attempt: z.number() }),
  run: async ({ failures }, { attempt }) => {
    if (attempt <= failures) throw new Error(`flaky failure on attempt ${attempt}`);
    return { attempt };
  },
});

export const failTask = defineTask({
  name: 'fail',
  description: 'fails permanently with args.message (testing)',
  args: z.object({ message: z.string().max(1_000) }).strict(),
  result: z.null(),
  run: async ({ message }) => {
    throw new PermanentTaskError(message);
  },
});

export const testingTasks = [sleepTask, crashTask, flakyTask, failTask];
