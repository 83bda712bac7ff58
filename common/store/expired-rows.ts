// Rows of timers and tasks past their expires_at, read and removed a partition at a time by the
// retention process. Both tables keep expires_at (null while pending) under an index of their own,
// so each question below is one or two index probes of the partition, whatever its size.
import type { Queryable } from '../db/pool.js';

/** What a partition holds: pending rows (never removed), finished ones still kept, expired ones. */
export interface ExpiryFacts {
  pending: boolean;
  kept: boolean;
  expired: boolean;
}

/** A partition's name as this service makes them (letters, digits, underscores): safe to write into SQL. */
export function partitionIdentifier(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a partition name: ${name}`);
  return name;
}

/** The rows a rewrite of a partition keeps: pending, or not yet expired. */
export const KEPT_WHERE = 'expires_at IS NULL OR expires_at > now()';

export async function expiryFacts(db: Queryable, partition: string): Promise<ExpiryFacts> {
  const p = partitionIdentifier(partition);
  const { rows } = await db.query<ExpiryFacts>(
    `SELECT EXISTS (SELECT 1 FROM ${p} WHERE expires_at IS NULL) AS pending,
            EXISTS (SELECT 1 FROM ${p} WHERE expires_at > now()) AS kept,
            EXISTS (SELECT 1 FROM ${p} WHERE expires_at <= now()) AS expired`,
  );
  return rows[0]!;
}

/** countKept(db, partition, limit): rows the partition still keeps, counted up to `limit`. */
export async function countKept(db: Queryable, partition: string, limit: number): Promise<number> {
  const p = partitionIdentifier(partition);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${p} WHERE ${KEPT_WHERE} LIMIT $1) AS kept`, [limit]);
  return rows[0]!.n;
}

/**
 * deleteExpired(db, partition, limit, asLines): deletes up to `limit` expired rows of the partition;
 * returns them as JSON lines when asLines (for an archive), else empty lines, one per row.
 */
export async function deleteExpired(db: Queryable, partition: string, limit: number, asLines: boolean): Promise<string[]> {
  const p = partitionIdentifier(partition);
  const { rows } = await db.query<{ line: string }>(
    `DELETE FROM ${p} AS t WHERE ctid = ANY (ARRAY (SELECT ctid FROM ${p} WHERE expires_at <= now() LIMIT $1))
     RETURNING ${asLines ? 'to_jsonb(t)::text' : `''`} AS line`,
    [limit],
  );
  return rows.map((row) => row.line);
}
