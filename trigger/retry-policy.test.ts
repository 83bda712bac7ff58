import { backoffMs, isRetryable, parseRetryAfter, verdict, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 5, backoffMs: 10_000, maxBackoffMs: 3_600_000 };
const now = Date.parse('2026-11-23T12:00:00Z');
const failed = (status: number | null, retryAfterMs: number | null = null) => ({ delivered: false, status, retryAfterMs });

describe('isRetryable', () => {
  test.each([
    [null, true],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [410, false],
    [422, false],
    [301, false],
  ])('status %p -> %p', (status, expected) => {
    expect(isRetryable(status)).toBe(expected);
  });
});

describe('backoffMs', () => {
  test('the ceiling doubles per attempt and the draw spans [floor, ceiling]', () => {
    expect(backoffMs(1, policy, () => 1)).toBe(10_000);
    expect(backoffMs(2, policy, () => 1)).toBe(20_000);
    expect(backoffMs(4, policy, () => 1)).toBe(80_000);
    expect(backoffMs(3, policy, () => 0.5)).toBe(20_000);
    expect(backoffMs(1, policy, () => 0)).toBe(1_000);
  });

  test('never beyond the cap, even after many attempts', () => {
    expect(backoffMs(30, policy, () => 1)).toBe(3_600_000);
    expect(backoffMs(5_000, policy, () => 1)).toBe(3_600_000);
  });

  test('a base below the floor is used as is', () => {
    expect(backoffMs(1, { ...policy, backoffMs: 200 }, () => 0)).toBe(200);
  });
});

describe('parseRetryAfter', () => {
  test('seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
  });

  test('absent or unreadable: null', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('verdict', () => {
  test('a 2xx is delivered', () => {
    expect(verdict({ delivered: true, status: 204, retryAfterMs: null }, 1, policy, now, Math.random)).toEqual({ state: 'delivered' });
  });

  test('a retryable failure before the last attempt is retried after the jittered backoff', () => {
    expect(verdict(failed(500), 2, policy, now, () => 1)).toEqual({ state: 'retrying', at: now + 20_000 });
    expect(verdict(failed(null), 1, policy, now, () => 0.5)).toEqual({ state: 'retrying', at: now + 5_000 });
  });

  test('the last attempt fails for good', () => {
    expect(verdict(failed(500), 5, policy, now, () => 1)).toEqual({ state: 'failed' });
    expect(verdict(failed(null), 1, { ...policy, maxAttempts: 1 }, now, () => 1)).toEqual({ state: 'failed' });
  });

  test('an attempt interrupted by our shutdown is tried again at once, even the last one', () => {
    expect(verdict({ ...failed(null), interrupted: true }, 5, policy, now, () => 1)).toEqual({ state: 'retrying', at: now });
  });

  test('a refused address fails at once', () => {
    expect(verdict({ ...failed(null), refused: true }, 1, policy, now, () => 1)).toEqual({ state: 'failed' });
  });

  test('a final 4xx fails at once', () => {
    expect(verdict(failed(404), 1, policy, now, () => 1)).toEqual({ state: 'failed' });
  });

  test('429 and 503 honour Retry-After, capped at the longest backoff', () => {
    expect(verdict(failed(429, 90_000), 1, policy, now, () => 0)).toEqual({ state: 'retrying', at: now + 90_000 });
    expect(verdict(failed(503, 7_200_000), 1, policy, now, () => 0)).toEqual({ state: 'retrying', at: now + 3_600_000 });
  });

  test('Retry-After on another status is ignored', () => {
    expect(verdict(failed(500, 90_000), 1, policy, now, () => 1)).toEqual({ state: 'retrying', at: now + 10_000 });
  });
});
