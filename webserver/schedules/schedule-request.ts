// The bodies of POST /schedules and PATCH /schedules/{id}: a cadence (cron or every) in a time zone,
// the target (a webhook shaped as a timer's, or a task), the window (start_at, end_at), and what happens
// on overlap and after downtime, the flow-control key of its runs and where their outcomes are told. A PATCH is merged over the schedule's current settings and the result
// is held to the same rules as a new schedule.
import { z } from 'zod';
import { instantText, storableText, unstorablePath, UNSTORABLE_TEXT_MESSAGE } from '../../common/messages/storable.js';
import { webhookShapeFields } from '../../common/webhooks/webhook-shape.js';
import { cronProblem, isKnownTimeZone, MAX_EVERY_MS, MIN_EVERY_MS, parseEvery } from '../../common/schedules/cadence.js';
import { callbackUrl, deliveryFields, outcomeCallbackFields, retentionField } from '../timers/timer-request.js';
import { flowControl } from '../../common/messages/flow-control.js';

export const MAX_JITTER_S = 3_600;
export const OVERLAP = ['allow', 'skip'] as const;
export const CATCH_UP = ['latest', 'all', 'none'] as const;

const cron = z.string({ error: 'must be a string' }).superRefine((text, ctx) => {
  const problem = cronProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const every = z.union([z.string(), z.number()], { error: 'must be an interval such as "90s", "15m", "1h30m" or a number of seconds' }).superRefine((value, ctx) => {
  const ms = parseEvery(value);
  if (ms === null) ctx.addIssue({ code: 'custom', message: 'must be an interval such as "90s", "15m", "1h30m" or a number of seconds' });
  else if (ms < MIN_EVERY_MS) ctx.addIssue({ code: 'custom', message: 'must be at least one second' });
  else if (ms > MAX_EVERY_MS) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_EVERY_MS / 86_400_000} days` });
});

const timezone = z.string({ error: 'must be a string' }).refine(isKnownTimeZone, 'is not a known IANA time zone, e.g. Europe/Berlin or UTC');

const task = z.strictObject({
  type: z.string({ error: 'must be a string' }).min(1).max(100),
  args: z.json().default({}),
});

export const scheduleFields = {
  name: storableText.max(200, 'must be at most 200 characters').nullable().optional(),
  cron: cron.optional(),
  every: every.optional(),
  timezone: timezone.optional(),
  url: callbackUrl.optional(),
  ...webhookShapeFields,
  ...deliveryFields,
  task: task.optional(),
  start_at: instantText.nullable().optional(),
  end_at: instantText.nullable().optional(),
  overlap: z.enum(OVERLAP, { error: `must be one of ${OVERLAP.join(', ')}` }).optional(),
  catch_up: z.enum(CATCH_UP, { error: `must be one of ${CATCH_UP.join(', ')}` }).optional(),
  jitter_s: z.number({ error: 'must be a number of seconds' }).min(0, 'must be 0 or more').max(MAX_JITTER_S, `must be at most ${MAX_JITTER_S}`).optional(),
  paused: z.boolean({ error: 'must be true or false' }).optional(),
  // The key every run names; its limits, when given, are set on the key (null: the runs name none).
  flow_control: flowControl.nullable().optional(),
  // Where each run's outcome is told (null: nowhere).
  callback_url: outcomeCallbackFields.callback_url.nullable(),
  failure_callback_url: outcomeCallbackFields.failure_callback_url.nullable(),
  // How long each run (and its task) is kept once finished (null: the default of its outcome).
  retention_s: retentionField
    .nullable()
    .describe("each run's (and its task's) retention_s: seconds it is kept once finished, within RETENTION_MIN_S..RETENTION_MAX_S; null: the default of its outcome"),
};

const objectError = { error: (issue: { code: string }) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') };

/** A whole schedule: exactly one cadence, exactly one target, a window that is not empty. */
export const createScheduleRequest = z.strictObject(scheduleFields, objectError).superRefine((s, ctx) => {
  const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if ((s.cron === undefined) === (s.every === undefined)) fail('cron', 'give either cron or every (not both)');
  if ((s.url === undefined) === (s.task === undefined)) fail('url', 'give either url or task (not both)');
  if (s.task !== undefined)
    for (const field of ['method', 'headers', 'body', 'retry_backoff_s', 'retry_max_backoff_s'] as const) if (s[field] !== undefined) fail(field, 'applies to a webhook (url), not to a task');
  if (s.start_at && s.end_at && Date.parse(s.end_at) <= Date.parse(s.start_at)) fail('end_at', 'must be after start_at');
  if (s.retry_backoff_s !== undefined && s.retry_max_backoff_s !== undefined && s.retry_max_backoff_s < s.retry_backoff_s) fail('retry_max_backoff_s', 'must be at least retry_backoff_s');
  const path = unstorablePath(s);
  if (path) ctx.addIssue({ code: 'custom', path, message: UNSTORABLE_TEXT_MESSAGE });
});

export type CreateScheduleRequest = z.infer<typeof createScheduleRequest>;

/** PATCH: any of the fields; null clears name, start_at or end_at. */
export const patchScheduleRequest = z.strictObject(scheduleFields, objectError).refine((s) => Object.keys(s).length > 0, { message: 'give at least one field to change', path: ['(body)'] });

export type PatchScheduleRequest = z.infer<typeof patchScheduleRequest>;

/**
 * The request a PATCH makes of the current one: its fields replace theirs; a new cadence replaces the
 * other kind, a new target the other kind (and a task drops the webhook's shape).
 */
export function mergePatch(current: CreateScheduleRequest, patch: PatchScheduleRequest): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  if (patch.cron !== undefined) delete merged.every;
  if (patch.every !== undefined) delete merged.cron;
  if (patch.url !== undefined) delete merged.task;
  if (patch.task !== undefined) for (const field of ['url', 'method', 'headers', 'body', 'retry_backoff_s', 'retry_max_backoff_s']) delete merged[field];
  for (const [field, value] of Object.entries(patch)) if (value !== undefined) merged[field] = value;
  return merged;
}
