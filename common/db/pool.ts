// PostgreSQL access for every process: one pg pool for the main database and one per timer-db shard,
// each named (application_name) and guarded against idle-client errors. Queries are always parameterised.
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Where a statement can run: the pool, or one client inside a transaction. */
export type Queryable = Pool | PoolClient;

// timestamptz and bigint come back as JS numbers of ms / integers; every time in this code is epoch ms.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

// Every run of a named statement (prepared() below) is still planned for its own values, as an unnamed
// one is: a generic plan could read a whole table where today's plans, which the tests check, use an index.
const CONNECTION_OPTIONS = '-c plan_cache_mode=force_custom_plan';

/**
 * createPool(url, applicationName, max, log, sessionOptions): a pool whose sessions also get
 * `sessionOptions` (further `-c name=value` settings, such as the retentions of common/store/expiry.ts).
 */
export function createPool(url: string, applicationName: string, max: number, log: Logger, sessionOptions = ''): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: applicationName,
    options: `${CONNECTION_OPTIONS} ${sessionOptions}`.trim(),
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database client error'));
  return pool;
}

/**
 * prepared(name, text): a statement of a hot path (thousands of runs a second), prepared once per
 * connection under its name, so that PostgreSQL parses and analyses it once instead of on every run: a
 * five-row insert into timers_to_fire cost its backend 0.24-0.28 ms of CPU prepared against 0.35 ms
 * (3,000 runs each, alternating). Each name must belong to one text. Not for a connection pooler in
 * transaction mode, which hands a session's prepared statements to other sessions.
 */
export function prepared(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  return (values) => ({ name, text, values });
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
