// Who may read the dashboard's data: it shows every owner's timers and tasks, so it is an operator's
// page. With DASHBOARD_OPEN it is open (a development stack); otherwise only an admin's bearer token
// (ADMIN_EMAILS) reads it: none is a 401, another user's a 403.
import type { RequestHandler } from 'express';
import { unauthorized, viewerOf } from '../auth/authenticate.js';

export function dashboardAccess(open: boolean): RequestHandler {
  return (_req, res, next) => {
    if (open) return next();
    const viewer = viewerOf(res);
    if (!viewer) return unauthorized(res, false, "the dashboard needs an admin's bearer token (POST /token), unless DASHBOARD_OPEN=true");
    if (viewer.role !== 'admin') return void res.status(403).json({ error: 'forbidden', message: 'only an admin reads the dashboard' });
    next();
  };
}
