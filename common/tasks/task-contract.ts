// What a task type promises to the outside: its name, what it does, whether clients may submit it, and
// zod schemas for its args and its result. The webserver validates submissions and describes the API
// with the contract alone; a worker pairs each contract with the code that runs it (worker/tasks/).
import type { z } from 'zod';

export interface TaskContract<A = unknown, R = unknown, N extends string = string> {
  name: N;
  description: string;
  /** enqueued by the service itself only: POST /tasks refuses it */
  internal?: boolean;
  /**
   * no effect but its result, and done in moments: its message carries the task, and a worker runs its
   * first delivery before claiming it, storing claim and outcome in one update (a run of a task
   * cancelled meanwhile, or a second run, changes nothing anywhere)
   */
  pure?: boolean;
  args: z.ZodType<A>;
  result: z.ZodType<R>;
}

/** Keeps the contract's name a literal type, so the worker's runs can be checked against every name. */
export function defineTaskContract<const N extends string, A, R>(contract: TaskContract<A, R, N>): TaskContract<A, R, N> {
  return contract;
}
