// Everything a timer must pass before it is published, for POST /timer and each item of POST /timers:
// its shape (zod), a due time within a year, callback addresses that are allowed (the destination's and
// the outcome callbacks'), room in the queue.
// The answer is either the request or the HTTP error to give for it.
import type { z } from 'zod';
import { createTimerRequest, fireAtOf, type CreateTimerRequest } from './timer-request.js';
import { fieldErrors, type FieldError } from '../http/field-errors.js';
import { MAX_DELAY_SECONDS } from '../../common/messages/time.js';
import type { AddressPolicy } from '../../common/webhooks/callback-address.js';
import type { Response } from 'express';
import type { IncomingTimer } from '../../common/messages/timer-message.js';
import { timeLeftSeconds } from '../../common/messages/time.js';
import { retentionProblem, type RetentionBounds } from '../../common/messages/retention.js';

export interface TimerRejection {
  status: 422 | 503;
  body: { error: string; message: string; details?: FieldError[]; dependency?: string };
  retryAfterS?: number;
}

export interface CheckDeps {
  addressPolicy: AddressPolicy;
  incomingQueue: { isFull(): boolean };
  /** RETENTION_MIN_S..RETENTION_MAX_S: what a retention_s may ask for */
  retentionBounds: RetentionBounds;
}

export const invalidTimer = (error: z.ZodError): TimerRejection => ({
  status: 422,
  body: { error: 'validation_failed', message: 'the timer is not valid', details: fieldErrors(error) },
});

export const QUEUE_FULL: TimerRejection = {
  status: 503,
  body: { error: 'queue_full', dependency: 'broker', message: 'too many timers are waiting to be stored; retry shortly' },
  retryAfterS: 5,
};

/** 422 for a due time more than a year ahead (fire_at is checked against the clock, not by the schema). */
export function tooLate(fireAt: number, now: number): TimerRejection | null {
  if (fireAt <= now + MAX_DELAY_SECONDS * 1000) return null;
  const details = [{ field: 'fire_at', message: 'must be at most 365 days from now' }];
  return { status: 422, body: { error: 'validation_failed', message: 'the timer is not valid', details } };
}

/** 422 for a retention_s outside the configured bounds (the schema holds it only to the widest a configuration allows). */
export function retentionOutOfBounds(value: number | null | undefined, bounds: RetentionBounds, what = 'timer'): TimerRejection | null {
  const problem = retentionProblem(value, bounds);
  if (problem === null) return null;
  return { status: 422, body: { error: 'validation_failed', message: `the ${what} is not valid`, details: [{ field: 'retention_s', message: problem }] } };
}

/** 422 callback_refused for a URL whose host the AddressPolicy refuses; `field` names it. */
export async function refusedCallback(policy: AddressPolicy, url: string, field = 'url'): Promise<TimerRejection | null> {
  const refusal = await policy.refusalOfUrl(url);
  if (!refusal) return null;
  return { status: 422, body: { error: 'callback_refused', message: `the ${field} is not allowed`, details: [{ field, message: refusal }] } };
}

/** The URLs a request names that the service calls: the destination and the outcome callbacks. */
export type CalledUrls = Partial<Record<'url' | 'callback_url' | 'failure_callback_url' | 'result_url', string | null | undefined>>;

/** refusedUrls(policy, urls): the first rejection among the URLs given (each checked like the destination), or null. */
export async function refusedUrls(policy: AddressPolicy, urls: CalledUrls): Promise<TimerRejection | null> {
  for (const [field, url] of Object.entries(urls)) {
    if (typeof url !== 'string') continue;
    const rejection = await refusedCallback(policy, url, field);
    if (rejection) return rejection;
  }
  return null;
}

export async function checkTimer(deps: CheckDeps, body: unknown, now: number): Promise<{ ok: true; request: CreateTimerRequest } | { ok: false; rejection: TimerRejection }> {
  const parsed = createTimerRequest.safeParse(body);
  if (!parsed.success) return { ok: false, rejection: invalidTimer(parsed.error) };
  const { url, callback_url, failure_callback_url } = parsed.data;
  const rejection =
    tooLate(fireAtOf(parsed.data, now), now) ??
    retentionOutOfBounds(parsed.data.retention_s, deps.retentionBounds) ??
    (await refusedUrls(deps.addressPolicy, { url, callback_url, failure_callback_url }));
  if (rejection) return { ok: false, rejection };
  if (deps.incomingQueue.isFull()) return { ok: false, rejection: QUEUE_FULL };
  return { ok: true, request: parsed.data };
}

export function sendRejection(res: Response, rejection: TimerRejection): void {
  if (rejection.retryAfterS !== undefined) res.set('Retry-After', String(rejection.retryAfterS));
  res.status(rejection.status).json(rejection.body);
}

/** The answer to an accepted timer: the plain {id, time_left}, its fire_at and state. */
export function createdView(timer: IncomingTimer, now: number) {
  return { id: timer.id, time_left: timeLeftSeconds(timer.fire_at, now), fire_at: new Date(timer.fire_at).toISOString(), state: 'scheduled' as const };
}
