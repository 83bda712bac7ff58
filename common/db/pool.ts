// PostgreSQL access for every process: one pg pool for the main database and one per timer-db shard,
// each named (application_name) and guarded against idle-client errors. Queries are always parameterised.
import pg from 'pg';
import type { Logger } from '../observability/logger.js';
import { DependencyUnavailableError } from '../errors/dependency-unavailable.js';

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

// SQLSTATEs of a server that is going away or not accepting connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);

// What a lost or refused connection looks like when pg has no server error to report.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const CONNECTION_MESSAGES = /connection terminated|timeout exceeded when trying to connect|not queryable|connection error|the database system is (starting up|shutting down)/i;

/**
 * isUnavailable(err): the database (or the broker) cannot be reached right now, so the work should be
 * retried later; anything else (a bad statement, a bug, a client's malformed input) is not.
 */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DependencyUnavailableError) return true;
  if (err instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATES.has(err.code ?? '');
  // Duck-typed: errors from node's own modules may come from another realm (e.g. under jest's VM).
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, errors } = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (Array.isArray(errors) && errors.some((inner) => isUnavailable(inner))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}
