// Every body and query string is read through here: a string anywhere in it (a value or a key) that
// PostgreSQL could not store (common/messages/storable.ts) is a 422 naming the field, whatever route it is for,
// so no route can hand the database a NUL byte or an unpaired surrogate and answer 500.
import { json, urlencoded, type RequestHandler } from 'express';
import { unstorablePath, UNSTORABLE_TEXT_MESSAGE } from '../../common/messages/storable.js';

function refuseUnstorable(where: 'body' | 'query'): RequestHandler {
  return (req, res, next) => {
    const path = unstorablePath(where === 'body' ? req.body : req.query);
    if (!path) return next();
    const field = path.length > 0 ? path.join('.') : '(body)';
    res
      .status(422)
      .json({ error: 'validation_failed', message: `the ${where === 'body' ? 'body' : 'query'} holds text that cannot be stored`, details: [{ field, message: UNSTORABLE_TEXT_MESSAGE }] });
  };
}

/** Mounted before every route: the query string's parameters. */
export const refuseUnstorableQuery = refuseUnstorable('query');

const refuseUnstorableBody = refuseUnstorable('body');

/**
 * A body parser followed by the check of the text it read, as one handler. The check runs in the
 * parser's callback, outside Express's own try/catch, so an error there is handed on, never thrown.
 */
const checked =
  (parse: RequestHandler): RequestHandler =>
  (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        refuseUnstorableBody(req, res, next);
      } catch (checkError) {
        next(checkError);
      }
    });

/** The JSON body parser of every route (express.json's options), followed by the check of its text. */
export const jsonBody = (options: Parameters<typeof json>[0]): RequestHandler => checked(json(options));

/** The form body parser (application/x-www-form-urlencoded), followed by the check of its text. */
export const formBody = (options: Parameters<typeof urlencoded>[0]): RequestHandler => checked(urlencoded(options));
