// The /dashboard monitoring page and its data. The page (one HTML file, one script, one stylesheet from
// webserver/dashboard/page/, no build step) is served to anyone: without data it is only a login form. Its
// data, GET /dashboard/api/summary and /search (a timer with its callbacks, or a task), is an admin's unless
// DASHBOARD_OPEN (dashboard-access.ts).
// What the page does (replay, cancel, retry, pause, resume) goes through the public API with the admin's token.
import { Router, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { assets } from '../openapi/docs-routes.js';
import { dashboardAccess } from './dashboard-access.js';
import { cachedSummary, type DashboardDeps } from './dashboard-summary.js';
import { findTimer } from '../../common/store/timers.js';
import { timerView } from '../timers/timer-view.js';
import { callbacksOf } from '../timers/timer-callbacks.js';
import { findTask } from '../../common/store/tasks.js';
import { taskView } from '../tasks/task-view.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import { expiredAnswer, expiredBefore } from '../http/expired-ids.js';

// Beside this module in the sources (tsx, jest) and in dist/ (the Dockerfile copies the folder there).
const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
// The script's modules, imported by dashboard.js.
const MODULES = ['dashboard-dom.js', 'dashboard-api.js', 'dashboard-actions.js', 'dashboard-tables.js', 'dashboard-flow.js', 'dashboard-task-types.js'];
const ASSETS = new Set(['dashboard.js', ...MODULES, 'dashboard.css']);

// No inline script or style anywhere: the page's own files, its own API, nothing else.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
function pageHeaders(res: ServerResponse | Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}

/** The page and its files: before the load shedding and the authentication, like /docs. */
export function dashboardPage(): Router {
  const router = Router();
  router.get('/dashboard', (_req, res, next) => {
    pageHeaders(res);
    res.type('html').sendFile('index.html', { root: PAGE_DIR }, (err) => err && next(err));
  });
  router.use('/dashboard/assets', assets(PAGE_DIR, ASSETS, { maxAge: 0, setHeaders: pageHeaders }));
  return router;
}

export interface DashboardApiDeps extends DashboardDeps {
  /** DASHBOARD_OPEN */
  open: boolean;
}

export function dashboardApi(deps: DashboardApiDeps): Router {
  const router = Router();
  const summary = cachedSummary(deps);
  const guard = dashboardAccess(deps.open);
  router.get('/dashboard/api/summary', guard, async (_req, res, next) => {
    try {
      res.set('Cache-Control', 'no-store').json(await summary());
    } catch (err) {
      next(err);
    }
  });
  router.get('/dashboard/api/search', guard, async (req, res, next) => {
    const id = typeof req.query.id === 'string' ? req.query.id.trim().toLowerCase() : '';
    if (!isTimerId(id)) {
      res.status(400).json({ error: 'invalid_id', message: 'the id must be a UUID: a timer id or a task id', details: [{ field: 'id', message: 'must be a UUID' }] });
      return;
    }
    try {
      const timer = await findTimer(deps.mainDb, id);
      if (timer) return void res.json({ kind: 'timer', timer: timerView(timer, deps.now(), deps.defaultMaxAttempts, await callbacksOf(deps.mainDb, timer)) });
      const task = await findTask(deps.mainDb, id);
      if (task) return void res.json({ kind: 'task', task: { ...taskView(task), worker: task.worker } });
      // Removed by retention, when issued before what either table may have removed.
      const before = await expiredBefore(deps.mainDb, ['timers', 'tasks'], id);
      if (before !== null) return void res.status(410).json(expiredAnswer('timer and no task', id, before));
      res.status(404).json({ error: 'not_found', message: `no timer and no task has the id ${id}` });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
