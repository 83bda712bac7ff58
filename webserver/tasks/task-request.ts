// The bodies and query strings of the general task API: POST /tasks, GET /tasks, ?wait=.
import { z } from 'zod';
import { MAX_DELAY_SECONDS } from '../../common/messages/time.js';
import { TASK_STATES } from '../../common/store/tasks.js';
import { instantText } from '../../common/messages/storable.js';
import { flowControl } from '../../common/messages/flow-control.js';
import { callbackUrl, retentionField } from '../timers/timer-request.js';

export const MAX_TIMEOUT_S = 86_400;
export const MAX_ATTEMPTS = 100;

export const submitTaskRequest = z
  .strictObject({
    type: z.string({ error: 'must be a string' }).min(1).max(100).describe('a registered task type: noop, sum, parse'),
    args: z.unknown().default({}).describe("the task type's arguments, checked against its schema"),
    delay_seconds: z.number().min(0).max(MAX_DELAY_SECONDS).optional().describe('start no earlier than this many seconds from now'),
    run_at: instantText.optional().describe('start no earlier than this instant (ISO 8601)'),
    timeout_s: z.number().int().min(1).max(MAX_TIMEOUT_S).optional().describe('per-attempt timeout (default TASK_DEFAULT_TIMEOUT_S)'),
    max_attempts: z.number().int().min(1).max(MAX_ATTEMPTS).optional().describe('deliveries the task may start (default TASK_DEFAULT_MAX_ATTEMPTS)'),
    flow_control: flowControl
      .optional()
      .describe("the flow-control key the task's start waits on (its limits, when given, are set on the key); the task then goes to the queue through its timer, even when due now"),
    // Where the task's outcome is told (common/webhooks/callbacks.ts), each URL held to a timer's rules.
    result_url: callbackUrl.optional().describe('told when the task succeeds or fails for good'),
    callback_url: callbackUrl.optional().describe('told when the task succeeds'),
    failure_callback_url: callbackUrl.optional().describe('told when the task fails for good'),
    retention_s: retentionField.describe(
      'seconds the task is kept once finished, in place of the default of its outcome (RETENTION_SUCCEEDED_S, RETENTION_FAILED_S, RETENTION_CANCELLED_S); within RETENTION_MIN_S..RETENTION_MAX_S',
    ),
  })
  .refine((body) => body.delay_seconds === undefined || body.run_at === undefined, {
    message: 'give delay_seconds or run_at, not both',
    path: ['run_at'],
  });

export type SubmitTaskRequest = z.infer<typeof submitTaskRequest>;

/** ?wait=SECONDS on POST /tasks, bounded by TASK_MAX_WAIT_S. */
export const waitQuery = (maxSeconds: number) => z.object({ wait: z.coerce.number().min(0).max(maxSeconds, `must be at most ${maxSeconds}`).optional() });

export const listTasksQuery = z.strictObject({
  type: z.string().max(100).optional(),
  state: z
    .enum(TASK_STATES, { error: `must be one of ${TASK_STATES.join(', ')}` })
    .optional()
    .describe('only tasks in this state (held: waiting for its paused type)'),
  created_after: instantText.optional().describe('created at or after this instant'),
  created_before: instantText.optional().describe('created before this instant'),
  cursor: z.uuid().optional().describe('next_cursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
