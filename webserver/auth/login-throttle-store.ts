// The SQL of login_throttles: the failed logins of an account (the email as typed) and of a client
// address, shared by every webserver replica. A login reads its two rows by primary key; only a failure
// writes (both rows, one statement) and only the account's successful login deletes. Instants are the
// database's now, so replicas whose clocks disagree count alike.
import type { Pool } from '../../common/db/pool.js';
import type { FailureRecord } from './login-backoff.js';

/** Whom a login attempt is counted against. */
export interface LoginSubjects {
  /** the normalised email */
  account: string;
  /** throttleKey of the client address */
  address: string;
}

export interface ThrottleRecords {
  account?: FailureRecord;
  address?: FailureRecord;
  /** the database's now, in ms (the instant the records are judged at) */
  now: number;
}

// A counter that cannot overflow integer however long an attack lasts (the delay is capped far below).
const MAX_COUNTED_FAILURES = 1_000_000;

/** readThrottles(db, subjects): the records of the account and of the address, and the database's now; one indexed read. */
export async function readThrottles(db: Pool, subjects: LoginSubjects): Promise<ThrottleRecords> {
  const { rows } = await db.query<{ kind: 'account' | 'address' | null; failures: number | null; last_ms: number | null; now_ms: number }>(
    `SELECT t.kind, t.failures, extract(epoch FROM t.last_failure_at)::float8 * 1000 AS last_ms, extract(epoch FROM now())::float8 * 1000 AS now_ms
       FROM (SELECT 1) AS one
       LEFT JOIN login_throttles t ON (t.kind, t.subject) IN (('account', $1), ('address', $2))`,
    [subjects.account, subjects.address],
  );
  const records: ThrottleRecords = { now: rows[0]!.now_ms };
  for (const row of rows) if (row.kind) records[row.kind] = { failures: row.failures!, lastFailureAt: row.last_ms! };
  return records;
}

/**
 * recordFailure(db, subjects, forgetAfterMs): one more failure for the account and for the address, at
 * the database's now; a record whose last failure is older than forgetAfterMs starts again from one.
 * The account row is always locked before the address row, so two failures never deadlock.
 */
export async function recordFailure(db: Pool, subjects: LoginSubjects, forgetAfterMs: number): Promise<void> {
  await db.query(
    `INSERT INTO login_throttles AS t (kind, subject, failures, last_failure_at)
     VALUES ('account', $1, 1, now()), ('address', $2, 1, now())
     ON CONFLICT (kind, subject) DO UPDATE
       SET failures = CASE WHEN t.last_failure_at <= now() - make_interval(secs => $3::float8 / 1000) THEN 1 ELSE least(t.failures + 1, $4) END,
           last_failure_at = now()`,
    [subjects.account, subjects.address, forgetAfterMs, MAX_COUNTED_FAILURES],
  );
}

/** clearAccount(db, account): the account's owner got in; its failures count no more. */
export async function clearAccount(db: Pool, account: string): Promise<void> {
  await db.query(`DELETE FROM login_throttles WHERE kind = 'account' AND subject = $1`, [account]);
}

/** deleteForgotten(db, forgetAfterMs): removes the records no longer counted; how many went. */
export async function deleteForgotten(db: Pool, forgetAfterMs: number): Promise<number> {
  const result = await db.query('DELETE FROM login_throttles WHERE last_failure_at <= now() - make_interval(secs => $1::float8 / 1000)', [forgetAfterMs]);
  return result.rowCount ?? 0;
}
