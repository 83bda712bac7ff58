// What happens after a delivery attempt: delivered, retried later (exponential backoff with full
// jitter, or the receiver's Retry-After), or failed for good. Pure functions; "now" and randomness
// are passed in.

export interface RetryPolicy {
  maxAttempts: number;
  /** the ceiling of the first retry's delay; each further retry doubles it */
  backoffMs: number;
  /** no retry waits longer than this */
  maxBackoffMs: number;
}

export interface AttemptResult {
  delivered: boolean;
  /** HTTP status, or null when no response came (network error, timeout) */
  status: number | null;
  /** the receiver's Retry-After, in ms from now, when it sent one */
  retryAfterMs: number | null;
  /** the callback's address is refused by policy: final */
  refused?: boolean;
  /** cut short by our own shutdown: tried again at once, whatever the attempt count */
  interrupted?: boolean;
}

export type Verdict = { state: 'delivered' } | { state: 'retrying'; at: number } | { state: 'failed' };

// A retry never comes sooner than this, so that a zero draw of the jitter is not a hot loop.
const MIN_DELAY_MS = 1_000;

/** Network errors, timeouts, 408, 429 and 5xx may succeed later; any other answer is final. */
export function isRetryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

/** Full jitter: a uniform draw in [0, min(max, base * 2^(attempt-1))], at least MIN_DELAY_MS. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.min(attempt - 1, 40));
  return Math.max(Math.min(MIN_DELAY_MS, ceiling), Math.round(random() * ceiling));
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; anything else (e.g. "-5") is not one.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * verdict(result, attempt, policy, now, random): the timer's next state after its attempt number
 * `attempt`. 429 and 503 with Retry-After wait that long (capped at maxBackoffMs); other retryable
 * failures back off with jitter; after maxAttempts the timer has failed.
 */
export function verdict(result: AttemptResult, attempt: number, policy: RetryPolicy, now: number, random: () => number): Verdict {
  if (result.delivered) return { state: 'delivered' };
  if (result.interrupted) return { state: 'retrying', at: now };
  if (result.refused || !isRetryable(result.status) || attempt >= policy.maxAttempts) return { state: 'failed' };
  const honoursRetryAfter = (result.status === 429 || result.status === 503) && result.retryAfterMs !== null;
  const delay = honoursRetryAfter ? Math.min(result.retryAfterMs!, policy.maxBackoffMs) : backoffMs(attempt, policy, random);
  return { state: 'retrying', at: now + delay };
}
