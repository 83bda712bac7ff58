// How PostgreSQL wrote the updates of a statement: how many rows it updated in a table, and how many of
// those were HOT (a new row version beside the old one on its page, no index written).
import type { Pool } from '../../common/db/pool.js';

/**
 * updatesOf(pool, table, work): runs work on one client inside a transaction, which is then rolled back,
 * and counts that transaction's updates of the table (pg_stat_xact_user_tables).
 */
export async function updatesOf(pool: Pool, table: string, work: (client: Pool) => Promise<unknown>): Promise<{ updated: number; hot: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client as unknown as Pool);
    const stats = await client.query<{ updated: number; hot: number }>('SELECT n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot FROM pg_stat_xact_user_tables WHERE relname = $1', [table]);
    return stats.rows[0] ?? { updated: 0, hot: 0 };
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
