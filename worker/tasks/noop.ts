// noop: does nothing and succeeds; the benchmark measures the task pipeline's own cost with it.
import { noopContract } from '../../common/tasks/noop.js';
import { defineTask } from './task-type.js';

export const noopTask = defineTask(noopContract, async () => null);
