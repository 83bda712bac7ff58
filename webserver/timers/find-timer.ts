// Waits for a just-accepted timer: the read itself is the timers table's (common/store/timers).
import type { Pool } from '../../common/db/pool.js';
import { findTimer, type TimerRow } from '../../common/store/timers.js';
import { readWaitingForRecent } from './read-your-writes.js';

/**
 * Read-your-writes: a timer is answered 201 once the broker holds it, and a consumer writes it to the
 * database a few milliseconds later. A miss on an id issued in the last minute is retried with backoff
 * for up to waitMs, so a GET right after the POST, through any replica, finds the timer.
 */
export function findTimerWaiting(pool: Pool, id: string, waitMs: number, now: () => number): Promise<TimerRow | null> {
  return readWaitingForRecent(id, waitMs, now, () => findTimer(pool, id));
}
