// What a statement's plan reads: the tables it scans whole and the indexes it uses, from EXPLAIN
// (not run: the statement is planned inside a transaction that is rolled back).
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
    return reads;
  } finally {
    client.release();
  }
}
