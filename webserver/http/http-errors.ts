// The API's error answers: the common JSON mapping (common/http/json-errors.ts) plus the webserver's own
// errors, and the 4xx answers routes give for a body that is not JSON, wrong fields or a bad id.
import type { RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { fieldErrors, type FieldError } from './field-errors.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import type { Logger } from '../../common/observability/logger.js';
import { errorHandler, notFound, type ErrorAnswer } from '../../common/http/json-errors.js';
import { PasswordWorkBusyError } from '../auth/password-slots.js';

/** 415 for a request with a body that is not declared as JSON. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (req.is('application/json')) return next();
  res.status(415).json({ error: 'unsupported_media_type', message: 'the body must be JSON, sent with Content-Type: application/json' });
};

/** 415 for a body that is not JSON; no body at all (none, or Content-Length: 0) passes: the body is optional. */
export const jsonIfAny: RequestHandler = (req, res, next) => {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (!hasBody || req.is('application/json')) return next();
  res.status(415).json({ error: 'unsupported_media_type', message: 'the body, when given, must be JSON, sent with Content-Type: application/json' });
};

/** The webserver's own errors: password hashing beyond this webserver's slots and queue. */
const webserverErrors: ErrorAnswer = (err) =>
  err instanceof PasswordWorkBusyError ? { status: 503, body: { error: 'overloaded', message: 'this server is busy hashing passwords; retry shortly' }, retryAfterS: 1 } : null;

/** Every error a request of the API can meet, mapped to its JSON answer (common/http/json-errors.ts). */
export const apiErrorHandler = (log: Logger) => errorHandler(log, webserverErrors);
export { notFound };

/** 422 naming each wrong field. */
export function sendInvalid(res: Response, message: string, error: z.ZodError): void {
  sendFieldErrors(res, message, fieldErrors(error));
}

/** 422 with the given field errors. */
export function sendFieldErrors(res: Response, message: string, details: FieldError[]): void {
  res.status(422).json({ error: 'validation_failed', message, details });
}

/** 400 for a task id that is not a UUID (in the path, or the query parameter `field`). */
export function sendBadTaskId(res: Response, field = 'id'): void {
  res.status(400).json({ error: 'invalid_id', message: 'the task id must be a UUID', details: [{ field, message: 'must be a UUID' }] });
}

/** 400 for a timer id that is not a UUID; true when it was sent. */
export function rejectBadTimerId(res: Response, id: string): boolean {
  if (isTimerId(id)) return false;
  res.status(400).json({ error: 'invalid_id', message: 'the timer id must be a UUID', details: [{ field: 'id', message: 'must be a UUID' }] });
  return true;
}
