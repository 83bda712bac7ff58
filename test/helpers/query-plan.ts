// What a statement's plan reads: the tables it scans whole and the indexes it uses, from EXPLAIN
// (not run: the statement is planned inside a transaction that is rolled back). A partition is named
// by its table and a partition's index by the table's index (timers_p20261207_pkey: timers_pkey), once
// for each partition the plan reads.
import type { Pool } from '../../common/db/pool.js';

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export interface PlanReads {
  /** tables read by a sequential scan */
  seqScans: string[];
  /** indexes the plan reads (index, index-only and bitmap index scans) */
  indexes: string[];
}

export async function planReads(pool: Pool, sql: string, params: unknown[]): Promise<PlanReads> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const plan = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    await client.query('ROLLBACK');
    const reads: PlanReads = { seqScans: [], indexes: [] };
    const walk = (node: PlanNode) => {
      if (node['Node Type'] === 'Seq Scan') reads.seqScans.push(node['Relation Name'] ?? '?');
      if (node['Index Name']) reads.indexes.push(node['Index Name']);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(plan.rows[0]!['QUERY PLAN'][0]!.Plan);
    const roots = await client.query<{ name: string; root: string }>(`SELECT name, coalesce(pg_partition_root(to_regclass(name))::text, name) AS root FROM unnest($1::text[]) AS n(name)`, [
      [...reads.seqScans, ...reads.indexes],
    ]);
    const rootOf = new Map(roots.rows.map((row) => [row.name, row.root]));
    return { seqScans: reads.seqScans.map((name) => rootOf.get(name) ?? name), indexes: reads.indexes.map((name) => rootOf.get(name) ?? name) };
  } finally {
    client.release();
  }
}
