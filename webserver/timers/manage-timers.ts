// Cancelling and rescheduling a timer that has not fired. The main row changes first; its shard row
// follows. A copy of the old schedule still on its way (held by a poller, or in the queue) is harmless:
// the trigger claims a timer only when the database says it is due, and sends what the database says
// now (trigger/claim-attempts.ts), so a cancelled timer never fires and the old due time never fires.
import type { Pool } from '../../common/db/pool.js';
import * as timers from '../../common/store/timers.js';
import { deleteTimerToFire, fireAgainAt } from '../../common/store/timers-to-fire.js';
import { SIGNAL_ALWAYS } from '../../common/store/due-soon.js';
import { metrics } from '../../common/observability/metrics.js';
import type { TimerRow } from '../../common/store/timers.js';

export type Change = { kind: 'changed'; row: TimerRow } | { kind: 'not_pending'; state: string } | { kind: 'missing' };

async function stateOf(main: Pool, id: string): Promise<Change> {
  const state = await timers.findTimerState(main, id);
  return state !== null ? { kind: 'not_pending', state } : { kind: 'missing' };
}

/** cancelTimer(main, shards, id): a pending timer becomes 'cancelled' for good. */
export async function cancelTimer(main: Pool, shards: Pool[], id: string): Promise<Change> {
  const row = await timers.cancelTimer(main, id);
  if (!row) return stateOf(main, id);
  metrics.timersCancelled.inc();
  // Tidy only: a poller that still publishes this row finds the timer cancelled and the trigger drops it.
  await deleteTimerToFire(shards, id).catch(() => undefined);
  return { kind: 'changed', row };
}

/**
 * rescheduleTimer(main, shards, id, change): a new due time (the timer is 'scheduled' again, its
 * retries forgotten) and/or a new URL (a retrying timer keeps its next attempt). Then the shard row is
 * set to the instant the timer is due now.
 */
export async function rescheduleTimer(main: Pool, shards: Pool[], id: string, change: { fireAt: number | null; url: string | null }): Promise<Change> {
  const row = await timers.rescheduleTimer(main, id, change);
  if (!row) return stateOf(main, id);
  await fireAgainAt(shards, row, (row.next_attempt_at ?? row.fire_at).getTime(), SIGNAL_ALWAYS);
  return { kind: 'changed', row };
}
