// The JSON error answers every Express app of the service gives (the webserver's API and the random-user
// service): a body that cannot be read is the client's 4xx, an unreachable broker or database a 503
// naming it, anything else a logged 500 that reveals nothing. An app can map errors of its own first.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../observability/logger.js';
import { DependencyUnavailableError } from '../errors/dependency-unavailable.js';
import { isUnavailable } from '../errors/is-unavailable.js';

// body-parser's error types (err.type) and what they mean to a client.
const BODY_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  'entity.parse.failed': { status: 400, error: 'malformed_json', message: 'the request body is not valid JSON' },
  'entity.too.large': { status: 413, error: 'body_too_large', message: 'the request body is too large' },
  'encoding.unsupported': { status: 415, error: 'unsupported_encoding', message: 'the content encoding is not supported' },
  'charset.unsupported': { status: 415, error: 'unsupported_charset', message: 'the charset is not supported' },
  'request.aborted': { status: 400, error: 'request_aborted', message: 'the request was aborted' },
  'request.size.invalid': { status: 400, error: 'bad_content_length', message: 'the body does not match its Content-Length' },
};

/** An app's own answer to an error of its own kind, or null to leave the error to the common mapping. */
export type ErrorAnswer = (err: unknown) => { status: number; body: Record<string, unknown>; retryAfterS?: number } | null;

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
};

export function errorHandler(log: Logger, own: ErrorAnswer = () => null): ErrorRequestHandler {
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
    const answer = own(err);
    if (answer) {
      if (answer.retryAfterS !== undefined) res.set('Retry-After', String(answer.retryAfterS));
      res.status(answer.status).json(answer.body);
      return;
    }
    if (err instanceof DependencyUnavailableError || isUnavailable(err)) {
      const dependency = err instanceof DependencyUnavailableError ? err.dependency : 'database';
      log.warn({ err: (err as Error).message, dependency, path: req.path }, 'dependency unavailable');
      res
        .status(503)
        .set('Retry-After', '1')
        .json({ error: 'service_unavailable', dependency, message: `the ${dependency} is unavailable; retry shortly` });
      return;
    }
    log.error({ err, path: req.path }, 'unexpected error');
    res.status(500).json({ error: 'internal_error', message: 'unexpected error' });
  };
}
