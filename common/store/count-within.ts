// Counts by state under a statement timeout, for the dashboard and the scrape-time gauges. Retention keeps
// finished timers and tasks for days (hundreds of millions of rows at a thousand timers a second), so no
// count reads them all: the pending states are counted whole through the state indexes, the finished
// ones only within a recent window (FINISHED_WINDOW_MS), an index range. A count that still runs out of
// time is null: the page says "too many to count". The statements come from their tables' store modules.
import { inTransaction, type Pool } from '../db/pool.js';

/** Long enough for a few million rows; short enough that a page polling every 2 s stays current. */
export const COUNT_TIMEOUT_MS = 1_500;

/** The finished states are counted among the timers and tasks created this recently (the last hour). */
export const FINISHED_WINDOW_MS = 3_600_000;

// SQLSTATE query_canceled: the statement timeout ran out.
const QUERY_CANCELED = '57014';

/**
 * countStatesWithin(db, statement, params, states, timeoutMs): runs `statement` (rows of {state, n})
 * with a statement timeout; rows per state (0 for a state with none), or null past the timeout.
 */
export async function countStatesWithin(db: Pool, statement: string, params: unknown[], states: readonly string[], timeoutMs: number): Promise<Record<string, number> | null> {
  try {
    const rows = await inTransaction(db, async (client) => {
      // set_config(..., true) is SET LOCAL with a bound value: it ends with this transaction.
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      return (await client.query<{ state: string; n: string }>(statement, params)).rows;
    });
    return Object.fromEntries(states.map((state) => [state, Number(rows.find((row) => row.state === state)?.n ?? 0)]));
  } catch (err) {
    if ((err as { code?: unknown }).code === QUERY_CANCELED) return null;
    throw err;
  }
}
