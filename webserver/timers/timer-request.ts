// The body of POST /timer: a delay in hours, minutes and seconds (or an absolute fire_at),
// the callback URL, and optionally the webhook's shape, delivery settings, flow-control key and the
// URLs its outcome is told to.
import { z } from 'zod';
import { MAX_DELAY_SECONDS, delaySeconds } from '../../common/messages/time.js';
import { webhookShapeFields } from '../../common/webhooks/webhook-shape.js';
import { MAX_URL_LENGTH } from '../../common/messages/timer-message.js';
import { instantText, isStorableText, unstorablePath, UNSTORABLE_TEXT_MESSAGE } from '../../common/messages/storable.js';
import { flowControl } from '../../common/messages/flow-control.js';
import { retentionSeconds } from '../../common/messages/retention.js';

export { MAX_URL_LENGTH };

const wholeNumber = z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(MAX_DELAY_SECONDS, `must be at most ${MAX_DELAY_SECONDS}`).optional();

/** An absolute due time: ISO 8601 with a time zone offset (Z or +hh:mm), from 1970 on; read as UTC. */
export const fireAtField = instantText.optional();

/** The two ways to say when: a delay (each part 0 when left out) or fire_at, never both. */
export interface When {
  hours?: number | undefined;
  minutes?: number | undefined;
  seconds?: number | undefined;
  fire_at?: string | undefined;
}

const usesDelay = (t: When) => t.hours !== undefined || t.minutes !== undefined || t.seconds !== undefined;
const delayOf = (t: When) => ({ hours: t.hours ?? 0, minutes: t.minutes ?? 0, seconds: t.seconds ?? 0 });

/** The due instant of a request: fire_at as given (a past one fires at once), or now plus the delay. */
export function fireAtOf(t: When, now: number): number {
  return t.fire_at !== undefined ? Date.parse(t.fire_at) : now + delaySeconds(delayOf(t)) * 1000;
}

/** Refinements every body that says when must pass (POST /timer, PATCH /timer/{id}, each item of POST /timers). */
function checkWhen<T extends When>(schema: z.ZodType<T>) {
  return schema
    .refine((t) => !(t.fire_at !== undefined && usesDelay(t)), {
      message: 'give either fire_at or hours/minutes/seconds, not both',
      path: ['fire_at'],
    })
    .refine((t) => delaySeconds(delayOf(t)) <= MAX_DELAY_SECONDS, {
      message: `the total delay must be at most 365 days (${MAX_DELAY_SECONDS} seconds)`,
      path: ['seconds'],
    });
}

/** The URL when it is absolute http(s) with a host (a name, an IPv4 or a bracketed IPv6 address), else null. */
function absoluteHttpUrl(text: string): URL | null {
  if (!/^https?:\/\/[^/?#]/i.test(text)) return null;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : null;
  } catch {
    return null;
  }
}

// One message a URL: the first rule it breaks. Credentials in a URL would be stored and shown in every
// read of the timer (GET, lists, the dashboard) and in logs, so a URL with user:pass@ is refused.
export const callbackUrl = z.string({ error: 'must be a string' }).superRefine((text, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (text.length > MAX_URL_LENGTH) return fail(`must be at most ${MAX_URL_LENGTH} characters`);
  if (!isStorableText(text)) return fail(UNSTORABLE_TEXT_MESSAGE);
  const url = absoluteHttpUrl(text);
  if (!url) return fail('must be an absolute http(s) URL');
  if (url.username !== '' || url.password !== '') return fail('must not contain a user name or password (user:pass@); send credentials in headers');
});

/** Where an outcome is told (common/webhooks/callbacks.ts): after a successful delivery, once failed for good. */
export const outcomeCallbackFields = {
  callback_url: callbackUrl.optional(),
  failure_callback_url: callbackUrl.optional(),
};

const seconds = (min: number, max: number) => z.number({ error: 'must be a number of seconds' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).optional();

/** Per-timer delivery settings; each one left out takes its configured default (docs/configuration.md). */
export const deliveryFields = {
  max_attempts: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(50, 'must be at most 50').optional(),
  timeout_s: seconds(0.1, 300),
  retry_backoff_s: seconds(0.1, 86_400),
  retry_max_backoff_s: seconds(1, 86_400),
};

/** How long it is kept once finished, in place of its outcome's default; the route holds it to RETENTION_MIN_S..RETENTION_MAX_S (check-timer.ts). */
export const retentionField = retentionSeconds()
  .optional()
  .describe(
    'seconds it is kept once finished, in place of the default of its outcome (RETENTION_DELIVERED_S, RETENTION_FAILED_S, RETENTION_CANCELLED_S); a whole number within RETENTION_MIN_S..RETENTION_MAX_S (at widest 60..31622400), else 422 naming retention_s',
  );

const objectError = { error: (issue: { code: string }) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') };

export const createTimerRequest = checkWhen(
  z.strictObject(
    {
      hours: wholeNumber,
      minutes: wholeNumber,
      seconds: wholeNumber,
      fire_at: fireAtField,
      url: callbackUrl,
      ...webhookShapeFields,
      ...deliveryFields,
      flow_control: flowControl.optional(),
      ...outcomeCallbackFields,
      retention_s: retentionField,
    },
    objectError,
  ),
)
  .refine((t) => t.retry_backoff_s === undefined || t.retry_max_backoff_s === undefined || t.retry_max_backoff_s >= t.retry_backoff_s, {
    message: 'must be at least retry_backoff_s',
    path: ['retry_max_backoff_s'],
  })
  // The webhook body is any JSON: a string deep inside it is held to the same rule as every field.
  .superRefine((t, ctx) => {
    const path = unstorablePath(t);
    if (path) ctx.addIssue({ code: 'custom', path, message: UNSTORABLE_TEXT_MESSAGE });
  });

export type CreateTimerRequest = z.infer<typeof createTimerRequest>;

/** PATCH /timer/{id}: a new due time (delay from now or fire_at) and/or a new URL. */
export const rescheduleTimerRequest = checkWhen(
  z.strictObject({ hours: wholeNumber, minutes: wholeNumber, seconds: wholeNumber, fire_at: fireAtField, url: callbackUrl.optional() }, objectError),
).refine((t) => usesDelay(t) || t.fire_at !== undefined || t.url !== undefined, {
  message: 'give a new time (hours/minutes/seconds or fire_at), a new url, or both',
  path: ['(body)'],
});

export type RescheduleTimerRequest = z.infer<typeof rescheduleTimerRequest>;

/** Whether a PATCH body names a new time (else only the URL changes). */
export const changesTime = (t: When) => usesDelay(t) || t.fire_at !== undefined;
