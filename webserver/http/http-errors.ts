// Every error an HTTP request can meet, mapped to a JSON answer: the client's mistakes to 4xx,
// an unreachable broker or database to 503, anything else to a logged 500 that reveals nothing.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { fieldErrors } from '../timers/timer-request.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import type { Logger } from '../../common/observability/logger.js';
import { DependencyUnavailableError } from '../../common/errors/dependency-unavailable.js';
import { isUnavailable } from '../../common/db/pool.js';
import { PasswordWorkBusyError } from '../auth/password-slots.js';

// body-parser's error types (err.type) and what they mean to a client.
const BODY_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  'entity.parse.failed': { status: 400, error: 'malformed_json', message: 'the request body is not valid JSON' },
  'entity.too.large': { status: 413, error: 'body_too_large', message: 'the request body is too large' },
  'encoding.unsupported': { status: 415, error: 'unsupported_encoding', message: 'the content encoding is not supported' },
  'charset.unsupported': { status: 415, error: 'unsupported_charset', message: 'the charset is not supported' },
  'request.aborted': { status: 400, error: 'request_aborted', message: 'the request was aborted' },
  'request.size.invalid': { status: 400, error: 'bad_content_length', message: 'the body does not match its Content-Length' },
};

/** 415 for a request with a body that is not declared as JSON. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (req.is('application/json')) return next();
  res.status(415).json({ error: 'unsupported_media_type', message: 'the body must be JSON, sent with Content-Type: application/json' });
};

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const bodyError = BODY_ERRORS[(err as { type?: string }).type ?? ''];
    if (bodyError) {
      res.status(bodyError.status).json({ error: bodyError.error, message: bodyError.message });
      return;
    }
    // Any other 4xx from the body reader (http-errors), e.g. a body whose gzip encoding is corrupt.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: 'bad_request', message: 'the request body could not be read' });
      return;
    }
    if (err instanceof PasswordWorkBusyError) {
      // Logins, registrations and password changes beyond this webserver's hashing slots and queue.
      res.status(503).set('Retry-After', '1').json({ error: 'overloaded', message: 'this server is busy hashing passwords; retry shortly' });
      return;
    }
    if (err instanceof DependencyUnavailableError || isUnavailable(err)) {
      const dependency = err instanceof DependencyUnavailableError ? err.dependency : 'database';
      log.warn({ err: (err as Error).message, dependency, path: req.path }, 'dependency unavailable');
      res.status(503).set('Retry-After', '1').json({ error: 'service_unavailable', dependency, message: `the ${dependency} is unavailable; retry shortly` });
      return;
    }
    log.error({ err, path: req.path }, 'unexpected error');
    res.status(500).json({ error: 'internal_error', message: 'unexpected error' });
  };
}

/** 422 naming each wrong field. */
export function sendInvalid(res: Response, message: string, error: z.ZodError): void {
  res.status(422).json({ error: 'validation_failed', message, details: fieldErrors(error) });
}

/** 400 for a timer id that is not a UUID; true when it was sent. */
export function rejectBadTimerId(res: Response, id: string): boolean {
  if (isTimerId(id)) return false;
  res.status(400).json({ error: 'invalid_id', message: 'the timer id must be a UUID', details: [{ field: 'id', message: 'must be a UUID' }] });
  return true;
}
