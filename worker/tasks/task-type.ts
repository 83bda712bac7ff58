// What a worker runs: a task type is its contract (common/tasks/) together with the function that does
// the work. A task that throws is retried (with backoff, up to its max_attempts) unless it throws
// PermanentTaskError.
import type { Logger } from '../../common/observability/logger.js';
import type { Pool } from '../../common/db/pool.js';
import type { TaskContract } from '../../common/tasks/task-contract.js';
import type { Mailer } from '../mailer.js';

export interface TaskContext {
  /** aborted when the task's timeout passes */
  signal: AbortSignal;
  /** 1 for the first delivery, counting redeliveries after a crash and retries after a failure */
  attempt: number;
  /** the random-user service, as parse tasks reach it */
  randomUserServiceUrl: string;
  log: Logger;
  /** the main database, for tasks that read or record something there (send_registration_email) */
  db?: Pool;
  /** SMTP, for send_registration_email */
  mailer?: Mailer;
}

export interface TaskType<A = unknown, R = unknown, N extends string = string> extends TaskContract<A, R, N> {
  run(args: A, context: TaskContext): Promise<R>;
}

/** A failure that another attempt cannot fix: the task ends failed at once. */
export class PermanentTaskError extends Error {
  override name = 'PermanentTaskError';
}

/** Pairs a contract with its run function; the run's args and result are type-checked against the contract's schemas. */
export function defineTask<A, R, N extends string>(contract: TaskContract<A, R, N>, run: (args: NoInfer<A>, context: TaskContext) => Promise<NoInfer<R>>): TaskType<A, R, N> {
  return { ...contract, run };
}
