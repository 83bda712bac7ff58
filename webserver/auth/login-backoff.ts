// The arithmetic of login throttling, apart from where the counts are kept: a record of failed logins
// (for one account or one client address) allows a few free failures, then makes the next attempt wait
// a delay that doubles with every further failure, up to a ceiling. A record whose last failure is
// older than `forgetAfterMs` is forgotten: the next failure counts from one again.
//
//   failures:  1 .. free   free+1   free+2   free+3  ...   capped
//   delay:     0           base     2 base   4 base  ...   maxDelayMs
//
// The delay runs from the last failure, so a client that waits it out gets one more attempt; a wrong
// one doubles the delay. Instants are the database's (the read returns its now), so replicas whose
// clocks disagree throttle alike.

export interface BackoffPolicy {
  /** failures allowed before any delay */
  freeFailures: number;
  /** the first delay */
  baseDelayMs: number;
  /** the ceiling of the delay */
  maxDelayMs: number;
  /** a record without a failure for this long counts no more (at least maxDelayMs) */
  forgetAfterMs: number;
}

export interface FailureRecord {
  failures: number;
  lastFailureAt: number;
}

/** delayAfter(failures, policy): how long, after the last of `failures` failures, the next attempt waits (ms). */
export function delayAfter(failures: number, policy: BackoffPolicy): number {
  const beyond = failures - policy.freeFailures;
  if (beyond <= 0) return 0;
  // 2 ** 1100 is Infinity, which Math.min caps: no overflow however long an attack lasts.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (beyond - 1));
}

/** waitBeforeAttempt(record, policy, now): ms until an attempt is allowed; 0 when it is allowed now. */
export function waitBeforeAttempt(record: FailureRecord | undefined, policy: BackoffPolicy, now: number): number {
  if (!record || now - record.lastFailureAt >= policy.forgetAfterMs) return 0;
  return Math.max(0, record.lastFailureAt + delayAfter(record.failures, policy) - now);
}

/** Retry-After in whole seconds, rounded up (at least 1: "0" would invite an immediate retry that is still early). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
