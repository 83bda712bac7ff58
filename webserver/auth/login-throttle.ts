// Throttling of POST /token against password guessing, per account and per client address, with the
// counts in PostgreSQL (login-throttle-store.ts) so that every replica refuses alike. The policy:
//
// - The address record is what stops a single guesser: beyond LOGIN_ADDRESS_FREE_FAILURES failures (for
//   any emails) its logins wait, doubling up to LOGIN_ADDRESS_MAX_DELAY_S. A success does not clear it:
//   otherwise logging into one's own account between guesses would reset the count.
// - The account record slows guessers spread over many addresses: beyond LOGIN_ACCOUNT_FREE_FAILURES
//   its logins wait too, but only up to LOGIN_ACCOUNT_MAX_DELAY_S (30 s), so that failures made by
//   someone else keep the owner out for at most that long after the last one; and since each address
//   is throttled on its own, keeping an account closed takes a steady stream of failures from many
//   addresses. The owner's correct password is not let through a running account delay: an
//   exception for a correct password would tell a guesser which guess is right.
// - A throttled attempt is refused with 429 before any password is hashed, and is not counted. The
//   owner's successful login clears the account record.
// - Attempts that pass the check together are all answered (a check is a read, not a reservation):
//   a burst sent when a delay ends is bounded by the webserver's hash slots, and each of its failures
//   lengthens the next delay.
import type { Pool } from '../../common/db/pool.js';
import { loadConfig, type Config } from '../../common/process/config.js';
import type { Logger } from '../../common/observability/logger.js';
import { waitBeforeAttempt, type BackoffPolicy } from './login-backoff.js';
import { clearAccount, deleteForgotten, readThrottles, recordFailure, type LoginSubjects } from './login-throttle-store.js';

export interface LoginSettings {
  account: BackoffPolicy;
  address: BackoffPolicy;
  /** PASSWORD_HASH_CONCURRENCY */
  hashConcurrency: number;
  /** PASSWORD_HASH_QUEUE */
  hashQueue: number;
}

export function loginSettings(config: Config): LoginSettings {
  const forgetAfterMs = config.LOGIN_FAILURES_FORGET_S * 1_000;
  const policy = (freeFailures: number, maxDelayS: number): BackoffPolicy => ({
    freeFailures,
    baseDelayMs: config.LOGIN_BACKOFF_BASE_MS,
    maxDelayMs: maxDelayS * 1_000,
    forgetAfterMs,
  });
  return {
    account: policy(config.LOGIN_ACCOUNT_FREE_FAILURES, config.LOGIN_ACCOUNT_MAX_DELAY_S),
    address: policy(config.LOGIN_ADDRESS_FREE_FAILURES, config.LOGIN_ADDRESS_MAX_DELAY_S),
    hashConcurrency: config.PASSWORD_HASH_CONCURRENCY,
    hashQueue: config.PASSWORD_HASH_QUEUE,
  };
}

/** The settings of the defaults of common/process/config.ts (an app built without them, as in tests). */
export const DEFAULT_LOGIN_SETTINGS = loginSettings(loadConfig({}));

export type LoginCheck = { allowed: true; accountHasFailures: boolean } | { allowed: false; waitMs: number };

export class LoginThrottle {
  constructor(
    private readonly db: Pool,
    private readonly settings: Pick<LoginSettings, 'account' | 'address'>,
  ) {}

  /** Whether an attempt may be checked now; if not, how long it must wait (the longer of the two delays). */
  async check(subjects: LoginSubjects): Promise<LoginCheck> {
    const records = await readThrottles(this.db, subjects);
    const waitMs = Math.max(waitBeforeAttempt(records.account, this.settings.account, records.now), waitBeforeAttempt(records.address, this.settings.address, records.now));
    return waitMs > 0 ? { allowed: false, waitMs } : { allowed: true, accountHasFailures: records.account !== undefined };
  }

  failed(subjects: LoginSubjects): Promise<void> {
    return recordFailure(this.db, subjects, this.forgetAfterMs);
  }

  /** The owner got in: the account's failures are cleared (written only when there were some). */
  async succeeded(subjects: LoginSubjects, check: { accountHasFailures: boolean }): Promise<void> {
    if (check.accountHasFailures) await clearAccount(this.db, subjects.account);
  }

  private get forgetAfterMs(): number {
    return Math.max(this.settings.account.forgetAfterMs, this.settings.address.forgetAfterMs);
  }
}

const SWEEP_INTERVAL_MS = 10 * 60_000;

/** Deletes forgotten login failure records every ten minutes; returns the stop function. */
export function sweepForgottenLoginFailures(db: Pool, settings: LoginSettings, log: Logger): () => void {
  const forgetAfterMs = Math.max(settings.account.forgetAfterMs, settings.address.forgetAfterMs);
  const timer = setInterval(() => {
    deleteForgotten(db, forgetAfterMs).catch((err: Error) => log.warn({ err: err.message }, 'could not delete forgotten login failures'));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
