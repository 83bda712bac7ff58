// A timer's callbacks as GET /timer/{id} and the dashboard's search show them with the timer: read only
// for a timer that names where its outcome is told (any other has none).
import type { Pool } from '../../common/db/pool.js';
import { findCallbacks, type TimerRow } from '../../common/store/timers.js';

/** callbacksOf(main, row): the callbacks telling the timer's outcomes, oldest first. */
export async function callbacksOf(main: Pool, row: TimerRow): Promise<TimerRow[]> {
  return row.callback_url !== null || row.failure_callback_url !== null ? findCallbacks(main, row.id) : [];
}
