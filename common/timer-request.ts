// The body of POST /timer (seed 001): a delay in hours, minutes and seconds, and the callback URL.
import { z } from 'zod';
import { MAX_DELAY_SECONDS, delaySeconds } from './time.js';

export const MAX_URL_LENGTH = 2048;

const wholeNumber = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(MAX_DELAY_SECONDS, `must be at most ${MAX_DELAY_SECONDS}`)
  .default(0);

/** An absolute http(s) URL with a host: a name, an IPv4 address or a bracketed IPv6 address. */
function isAbsoluteHttpUrl(text: string): boolean {
  if (!/^https?:\/\/[^/?#]/i.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const callbackUrl = z
  .string({ error: 'must be a string' })
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .refine(isAbsoluteHttpUrl, 'must be an absolute http(s) URL');

const seconds = (min: number, max: number) =>
  z.number({ error: 'must be a number of seconds' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).optional();

/** Per-timer delivery settings; each one left out takes its configured default (docs/configuration.md). */
export const deliveryFields = {
  max_attempts: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(50, 'must be at most 50').optional(),
  timeout_s: seconds(0.1, 300),
  retry_backoff_s: seconds(0.1, 86_400),
  retry_max_backoff_s: seconds(1, 86_400),
};

export const createTimerRequest = z
  .strictObject(
    { hours: wholeNumber, minutes: wholeNumber, seconds: wholeNumber, url: callbackUrl, ...deliveryFields },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  )
  .refine((delay) => delaySeconds(delay) <= MAX_DELAY_SECONDS, {
    message: `the total delay must be at most 365 days (${MAX_DELAY_SECONDS} seconds)`,
    path: ['seconds'],
  })
  .refine((t) => t.retry_backoff_s === undefined || t.retry_max_backoff_s === undefined || t.retry_max_backoff_s >= t.retry_backoff_s, {
    message: 'must be at least retry_backoff_s',
    path: ['retry_max_backoff_s'],
  });

export type CreateTimerRequest = z.infer<typeof createTimerRequest>;

export interface FieldError {
  field: string;
  message: string;
}

/** zod issues as {field, message} pairs a client can show; the body itself is "(body)". */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: key, message: 'is not a known field' }));
    }
    return [{ field: issue.path.length ? issue.path.join('.') : '(body)', message: issue.message }];
  });
}
