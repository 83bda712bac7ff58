// PostgreSQL access for every process: one pg pool for the main database and one per timer-db shard,
// each named (application_name) and guarded against idle-client errors. Queries are always parameterised.
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// timestamptz and bigint come back as JS numbers of ms / integers; every time in this code is epoch ms.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createPool(url: string, applicationName: string, max: number, log: Logger): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: applicationName,
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database client error'));
  return pool;
}

/** Runs fn in a transaction on one client, released in finally; rolls back when fn throws. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
