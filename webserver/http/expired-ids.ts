// The answer to a per-id route that finds no timer or task (or one the caller may not see): 410 expired
// when the id is a UUIDv7 issued before the table's removed_before (retention may have removed its row),
// else 404 as for any unknown id. Asked only on that path: one primary-key read of retention_removals.
import type { Response } from 'express';
import type { Queryable } from '../../common/db/pool.js';
import { issuedAt } from '../../common/messages/timer-id.js';
import { removedBefore, type RemovalTable } from '../../common/store/retention-removals.js';

/** expiredBefore(db, tables, id): the removed_before (epoch ms) of the first table whose removals may have taken the id; null: none. */
export async function expiredBefore(db: Queryable, tables: readonly RemovalTable[], id: string): Promise<number | null> {
  const issued = issuedAt(id);
  if (issued === null) return null;
  for (const table of tables) {
    const before = await removedBefore(db, table);
    if (before !== null && issued < before) return before;
  }
  return null;
}

/** The 410 answer's body: what was looked for, and why it is gone. */
export const expiredAnswer = (what: string, id: string, before: number) => ({
  error: 'expired',
  message: `no ${what} with id ${id}: it was issued before ${new Date(before).toISOString()}, and what finished before then may have been removed by retention`,
});

/** sendMissing(res, db, table, what, id, notFound): 410 expired for an id retention may have removed, else 404 with `notFound` (default: no <what> with id <id>). */
export async function sendMissing(res: Response, db: Queryable, table: RemovalTable, what: string, id: string, notFound = `no ${what} with id ${id}`): Promise<void> {
  const before = await expiredBefore(db, [table], id);
  if (before !== null) res.status(410).json(expiredAnswer(what, id, before));
  else res.status(404).json({ error: 'not_found', message: notFound });
}
