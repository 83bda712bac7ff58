// Every task type a worker can run, by name: each contract of common/tasks/ paired with its run function.
// The table below must name a run for every contract there is, under the contract's own name, or the
// type-check fails: a type the webserver accepts is always one a worker can run.
import { taskContracts, type TaskName } from '../../common/tasks/contracts.js';
import type { TaskType } from './task-type.js';
import { noopTask } from './noop.js';
import { sumTask } from './sum.js';
import { parseTask } from './parse.js';
import { sendRegistrationEmailTask } from './send-registration-email.js';
import { crashTask, failTask, flakyTask, sleepTask } from './testing.js';

export type TaskRegistry = ReadonlyMap<string, TaskType>;

const RUNS: { [N in TaskName]: TaskType<unknown, unknown, N> } = {
  noop: noopTask,
  sum: sumTask,
  parse: parseTask,
  send_registration_email: sendRegistrationEmailTask,
  sleep: sleepTask,
  crash: crashTask,
  flaky: flakyTask,
  fail: failTask,
};

/** The runnable task types of a configuration: those of its contracts (the testing ones only when asked for). */
export function taskRegistry(options: { testing: boolean }): TaskRegistry {
  const contracts = taskContracts(options);
  const types = Object.values(RUNS).filter((type) => contracts.has(type.name));
  return new Map(types.map((type) => [type.name, type]));
}
