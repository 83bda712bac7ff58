// Routes for operators only: an admin's bearer token (ADMIN_EMAILS) passes; none is a 401, another
// user's a 403.
import type { RequestHandler } from 'express';
import { unauthorized, viewerOf } from './authenticate.js';

/** `what`: what only an admin does, for the refusals' messages (e.g. "pauses task types"). */
export function requireAdmin(what: string): RequestHandler {
  return (_req, res, next) => {
    const viewer = viewerOf(res);
    if (!viewer) return unauthorized(res, false, `only an admin ${what}: this route needs an admin's bearer token (POST /token)`);
    if (viewer.role !== 'admin') return void res.status(403).json({ error: 'forbidden', message: `only an admin ${what}` });
    next();
  };
}
