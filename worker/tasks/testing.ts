// Task types for the tests and for trying failure handling by hand; registered only with
// TASK_TESTING_TYPES=true, never in a production configuration.
import { setTimeout as sleep } from 'node:timers/promises';
import { crashContract, failContract, flakyContract, sleepContract } from '../../common/tasks/testing.js';
import { defineTask, PermanentTaskError } from './task-type.js';

export const sleepTask = defineTask(sleepContract, async ({ ms }, { signal }) => {
  await sleep(ms, undefined, { signal });
  return { slept_ms: ms };
});

export const crashTask = defineTask(crashContract, async () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<null>(() => undefined);
});

export const flakyTask = defineTask(flakyContract, async ({ failures }, { attempt }) => {
  if (attempt <= failures) throw new Error(`flaky failure on attempt ${attempt}`);
  return { attempt };
});

export const failTask = defineTask(failContract, async ({ message }) => {
  throw new PermanentTaskError(message);
});
