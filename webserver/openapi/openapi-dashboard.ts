// The OpenAPI description of the dashboard's data (GET /dashboard/api/summary and /search), merged
// into webserver/openapi/openapi.ts. The answer schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { TIMER_STATES } from '../../common/store/timers.js';
import { TASK_STATES } from '../../common/store/tasks.js';
import { timerAnswer } from './openapi-timer.js';
import { taskAnswer } from './openapi-tasks.js';
import { TOKEN } from './openapi-security.js';
import { expiredReason, type Describe } from './openapi-answers.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');
const counts = (states: readonly string[]) =>
  z
    .object(Object.fromEntries(states.map((state) => [state, z.number().int().min(0)])))
    .nullable()
    .describe(
      'per state: every pending one (timers: scheduled, held, firing, retrying; tasks: queued, running, held); of the finished states only those created since finished_since; null when counting took longer than 1.5 s (too many to count)',
    );

export const dashboardTimer = timerAnswer.pick({
  id: true,
  url: true,
  state: true,
  fire_at: true,
  created_at: true,
  attempts: true,
  max_attempts: true,
  last_status: true,
  last_error: true,
  attempt_history: true,
});
export const dashboardTask = taskAnswer
  .pick({ id: true, type: true, state: true, attempts: true, max_attempts: true, error: true, created_at: true, started_at: true, finished_at: true })
  .extend({ worker: z.string().nullable().describe('host:pid of the worker running or last running it') });

const bucket = z.object({ le: z.string().describe('upper bound in seconds, "+Inf" last'), count: z.number().min(0).describe('observations up to le (cumulative)') });

export const dashboardSummary = z.object({
  generated_at: isoTime,
  counts: z.object({
    timers: counts(TIMER_STATES),
    tasks: counts(TASK_STATES),
    finished_since: isoTime.describe('the finished states count the timers and tasks created since this instant (an hour before generated_at)'),
  }),
  queues: z.array(z.object({ name: z.string(), messages: z.number().int().nullable().describe('ready; null: no such queue'), consumers: z.number().int().nullable() })),
  dead_letters: z
    .object({
      messages: z.number().int().describe('messages in all .dead queues together; each one is a defect to look at'),
      queues: z.array(z.object({ name: z.string(), messages: z.number().int() })),
    })
    .describe('the dead-letter queues (a missing queue counts 0)'),
  processes: z.object({
    alive_after_ms: z.number().int().describe('a process is alive when its last heartbeat is younger than this'),
    by_type: z.array(z.object({ type: z.string(), alive: z.number().int().min(0), gone: z.number().int().min(0).describe('seen within the hour, not alive now') })),
    processes: z.array(z.object({ type: z.string(), hostname: z.string(), pid: z.number().int(), started_at: isoTime, last_seen_at: isoTime, alive: z.boolean() })),
  }),
  lateness: z.object({ label: z.string(), buckets: z.array(bucket).describe('webhook sent minus due time, summed over the alive triggers since they started') }),
  timers: z.object({ recent: z.array(dashboardTimer).describe('newest first, 20 at most'), failed: z.array(dashboardTimer) }),
  tasks: z.object({ recent: z.array(dashboardTask), failed: z.array(dashboardTask) }),
  schedules: z.object({
    counts: z.object({ active: z.number().int().min(0).describe('not paused (ended ones included)'), paused: z.number().int().min(0) }),
    recent: z
      .array(
        z.object({
          id: z.uuid(),
          name: z.string().nullable(),
          cadence: z.string().describe('the cron, or "every N s"'),
          timezone: z.string(),
          state: z.enum(['active', 'paused', 'ended']),
          next_instant: isoTime.nullable(),
          last_run: z
            .object({ state: z.enum(TIMER_STATES), last_status: z.number().int().nullable(), instant: isoTime.nullable() })
            .nullable()
            .describe('the latest run no longer waiting; null: none yet'),
        }),
      )
      .describe('newest first, 20 at most'),
  }),
  rabbitmq_management_url: z.string(),
});

export const dashboardSearchAnswer = z.union([
  z.object({ kind: z.literal('timer'), timer: timerAnswer }),
  z.object({ kind: z.literal('task'), task: taskAnswer.extend({ worker: z.string().nullable() }) }),
]);

export function dashboardPaths({ json, error }: Describe) {
  const access = {
    401: error('unauthorized: DASHBOARD_OPEN is false and no token was sent; invalid_token: a bad one was sent (whatever DASHBOARD_OPEN)', ['WWW-Authenticate']),
    403: error("forbidden: DASHBOARD_OPEN is false and the token is not an admin's"),
  };
  return {
    '/dashboard/api/summary': {
      get: {
        summary: 'What the /dashboard page shows: counts, queues, processes alive, lateness, recent and failed timers and tasks, schedules (cached 1 s)',
        security: TOKEN,
        responses: { 200: json(dashboardSummary, 'the summary'), ...access },
      },
    },
    '/dashboard/api/search': {
      get: {
        summary: 'A timer or a task by its id, with its attempts',
        security: TOKEN,
        parameters: [{ name: 'id', in: 'query', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: json(dashboardSearchAnswer, 'the timer or the task'),
          400: error('invalid_id: the id is not a UUID'),
          ...access,
          404: error('no timer and no task has this id'),
          410: error(expiredReason('timer and no task')),
        },
      },
    },
  };
}
