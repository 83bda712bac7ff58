// Whether an error means a dependency (the database or the broker) cannot be reached right now, so the
// work should be retried later rather than refused or dead-lettered: the decision every consumer and
// the API's 503 answer rest on.
import pg from 'pg';
import { DependencyUnavailableError } from './dependency-unavailable.js';

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
