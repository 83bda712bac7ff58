// What a task type is: a name, zod schemas for its args and its result, and the function a worker runs.
// A task that throws is retried (with backoff, up to its max_attempts) unless it throws PermanentTaskError.
import type { z } from 'zod';
import type { Logger } from '../../common/observability/logger.js';
import type { Pool } from '../../common/db/pool.js';
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

export interface TaskType<A = unknown, R = unknown> {
  name: string;
  description: string;
  /** enqueued by the service itself only: POST /tasks refuses it */
  internal?: boolean;
  args: z.ZodType<A>;
  result: z.ZodType<R>;
  run(args: A, context: TaskContext): Promise<R>;
}

/** A failure that another attempt cannot fix: the task ends failed at once. */
export class PermanentTaskError extends Error {
  override name = 'PermanentTaskError';
}

/** Keeps the args type of a definition checked against its run function. */
export function defineTask<A, R>(type: TaskType<A, R>): TaskType<A, R> {
  return type;
}
