import { delayAfter, retryAfterSeconds, waitBeforeAttempt, type BackoffPolicy } from './login-backoff.js';

const policy: BackoffPolicy = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, forgetAfterMs: 3_600_000 };
const t0 = Date.UTC(2030, 0, 1);

describe('login backoff', () => {
  test('the free failures cost nothing; then the delay doubles per failure from the base up to the ceiling', () => {
    expect([0, 1, 5].map((n) => delayAfter(n, policy))).toEqual([0, 0, 0]);
    expect([6, 7, 8, 9, 10, 11, 12].map((n) => delayAfter(n, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  test('the delay stays at the ceiling however many failures there were', () => {
    expect(delayAfter(10_000, policy)).toBe(30_000);
    expect(delayAfter(2 ** 31 - 1, policy)).toBe(30_000);
  });

  test('an attempt waits out the delay counted from the last failure, and not a millisecond more', () => {
    const record = { failures: 7, lastFailureAt: t0 };
    expect(waitBeforeAttempt(record, policy, t0)).toBe(2_000);
    expect(waitBeforeAttempt(record, policy, t0 + 1_500)).toBe(500);
    expect(waitBeforeAttempt(record, policy, t0 + 2_000)).toBe(0);
    expect(waitBeforeAttempt(record, policy, t0 + 60_000)).toBe(0);
  });

  test('no record, or one within its free failures, allows an attempt at once', () => {
    expect(waitBeforeAttempt(undefined, policy, t0)).toBe(0);
    expect(waitBeforeAttempt({ failures: 5, lastFailureAt: t0 }, policy, t0)).toBe(0);
  });

  test('a record whose last failure is older than the forget window counts no more', () => {
    const record = { failures: 50, lastFailureAt: t0 };
    expect(waitBeforeAttempt(record, { ...policy, maxDelayMs: 7_200_000 }, t0 + 3_599_999)).toBeGreaterThan(0);
    expect(waitBeforeAttempt(record, { ...policy, maxDelayMs: 7_200_000 }, t0 + 3_600_000)).toBe(0);
  });

  test('Retry-After is whole seconds rounded up, never 0', () => {
    expect([1, 999, 1_000, 1_001, 29_500].map(retryAfterSeconds)).toEqual([1, 1, 1, 2, 30]);
    expect(retryAfterSeconds(0)).toBe(1);
  });
});
