// The dashboard's counts by state: one GROUP BY per table under a statement timeout, because a count
// reads every row and a table of many millions must not hold a connection, nor make the page fail. A
// count that runs out of time is null: the page says "too many to count".
import { inTransaction, type Pool } from '../../common/db/pool.js';
import { TIMER_STATES } from '../timers/list-timers.js';
import { TASK_STATES } from '../../common/store/tasks.js';

/** Long enough for a few million rows; short enough that a page polling every 2 s stays current. */
export const COUNT_TIMEOUT_MS = 1_500;

// Identifiers only from these constants; every value is a bound parameter.
const TABLES = { timers: TIMER_STATES, tasks: TASK_STATES } as const;
type Table = keyof typeof TABLES;

// SQLSTATE query_canceled: the statement timeout ran out.
const QUERY_CANCELED = '57014';

/** countByState(db, table, timeoutMs): rows per state (0 for a state with none), or null past the timeout. */
export async function countByState(db: Pool, table: Table, timeoutMs = COUNT_TIMEOUT_MS): Promise<Record<string, number> | null> {
  try {
    const rows = await inTransaction(db, async (client) => {
      // set_config(..., true) is SET LOCAL with a bound value: it ends with this transaction.
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      return (await client.query<{ state: string; n: number }>(`SELECT state, count(*)::bigint AS n FROM ${table} GROUP BY state`)).rows;
    });
    return Object.fromEntries(TABLES[table].map((state) => [state, rows.find((row) => row.state === state)?.n ?? 0]));
  } catch (err) {
    if ((err as { code?: unknown }).code === QUERY_CANCELED) return null;
    throw err;
  }
}
