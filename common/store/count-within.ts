// Counts by state under a statement timeout, for the dashboard: a count reads every row, and a table of
// many millions must not hold a connection, nor make the page fail. A count that runs out of time is
// null: the page says "too many to count". The statements come from their tables' store modules.
import { inTransaction, type Pool } from '../db/pool.js';

/** Long enough for a few million rows; short enough that a page polling every 2 s stays current. */
export const COUNT_TIMEOUT_MS = 1_500;

// SQLSTATE query_canceled: the statement timeout ran out.
const QUERY_CANCELED = '57014';

/**
 * countStatesWithin(db, statement, states, timeoutMs): runs `statement` (rows of {state, n}) with a
 * statement timeout; rows per state (0 for a state with none), or null past the timeout.
 */
export async function countStatesWithin(db: Pool, statement: string, states: readonly string[], timeoutMs: number): Promise<Record<string, number> | null> {
  try {
    const rows = await inTransaction(db, async (client) => {
      // set_config(..., true) is SET LOCAL with a bound value: it ends with this transaction.
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      return (await client.query<{ state: string; n: number }>(statement)).rows;
    });
    return Object.fromEntries(states.map((state) => [state, rows.find((row) => row.state === state)?.n ?? 0]));
  } catch (err) {
    if ((err as { code?: unknown }).code === QUERY_CANCELED) return null;
    throw err;
  }
}
