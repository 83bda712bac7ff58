// How PostgreSQL wrote the updates of a statement: how many rows it updated in a table, and how many of
// those were HOT (a new row version beside the old one on its page, no index written). A partitioned
// table's are its partitions'.
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
    const stats = await client.query<{ updated: number; hot: number }>(
      `SELECT coalesce(sum(n_tup_upd), 0)::int AS updated, coalesce(sum(n_tup_hot_upd), 0)::int AS hot
         FROM pg_stat_xact_user_tables
        WHERE relid = $1::regclass OR relid IN (SELECT relid FROM pg_partition_tree($1::regclass))`,
      [table],
    );
    return stats.rows[0]!;
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
