// GET /timers: list and filter timers, newest first, with cursor pagination (webserver/timers/list-timers.ts).
import { Router } from 'express';
import type { Pool } from '../../common/db/pool.js';
import { listTimerPage, listTimersQuery } from './list-timers.js';
import { timerView } from './timer-view.js';
import { sendInvalid } from '../http/http-errors.js';
import { ownerScope, viewerOf } from '../auth/authenticate.js';

export function timerListRoutes(deps: { mainDb: Pool; defaultMaxAttempts: number; now: () => number }): Router {
  const router = Router();
  router.get('/timers', async (req, res) => {
    const query = listTimersQuery.safeParse(req.query);
    if (!query.success) {
      sendInvalid(res, 'the query is not valid', query.error);
      return;
    }
    const page = await listTimerPage(deps.mainDb, query.data, ownerScope(viewerOf(res)));
    const now = deps.now();
    res.json({ timers: page.rows.map((row) => timerView(row, now, deps.defaultMaxAttempts)), next_cursor: page.nextCursor });
  });
  return router;
}
