// The retention_removals table: per table, the issue instant before which rows may have been removed
// by retention. A lookup that finds no row for an id issued before it answers "expired" (410), not 404.
import type { Queryable } from '../db/pool.js';

export type RemovalTable = 'timers' | 'tasks';

/** removedBefore(db, table): epoch ms; null while nothing was removed from the table. */
export async function removedBefore(db: Queryable, table: RemovalTable): Promise<number | null> {
  const { rows } = await db.query<{ ms: string }>(`SELECT (extract(epoch FROM removed_before) * 1000)::bigint AS ms FROM retention_removals WHERE table_name = $1`, [table]);
  return rows[0] ? Number(rows[0].ms) : null;
}

/** noteRemoved(db, table, beforeMs): rows issued before beforeMs may now be gone (it only moves forward). */
export async function noteRemoved(db: Queryable, table: RemovalTable, beforeMs: number): Promise<void> {
  await db.query(
    `INSERT INTO retention_removals (table_name, removed_before) VALUES ($1, to_timestamp($2 / 1000.0))
     ON CONFLICT (table_name) DO UPDATE SET removed_before = greatest(retention_removals.removed_before, excluded.removed_before)`,
    [table, beforeMs],
  );
}
