// Replaying failed timers: POST /timer/{id}/replay for one, POST /timers/replay for those matching a filter.
import { Router } from 'express';
import { jsonBody } from '../http/storable-input.js';
import { z } from 'zod';
import type { Pool } from '../../common/db/pool.js';
import { instantText, storableText } from '../../common/messages/storable.js';
import { findFailed, findTimer } from '../../common/store/timers.js';
import { replayTimers } from './replay-timers.js';
import { timerView } from './timer-view.js';
import { rejectBadTimerId, requireJson, sendInvalid } from '../http/http-errors.js';
import { canSee, ownerScope, viewerOf } from '../auth/authenticate.js';
import { sendMissing } from '../http/expired-ids.js';

export const MAX_BULK_REPLAY = 1_000;

export const bulkReplayRequest = z.strictObject({
  url_prefix: storableText.min(1).max(2048).optional().describe('only timers whose callback URL starts with this'),
  failed_after: instantText.optional().describe('only timers whose last attempt was at or after this instant'),
  failed_before: instantText.optional().describe('only timers whose last attempt was before this instant'),
  limit: z.number().int().min(1).max(MAX_BULK_REPLAY).default(100).describe(`at most this many (up to ${MAX_BULK_REPLAY}), longest-failed first`),
});

export interface ReplayRouteDeps {
  mainDb: Pool;
  shards: Pool[];
  bodyLimitBytes: number;
  defaultMaxAttempts: number;
  now: () => number;
}

export function replayRoutes(deps: ReplayRouteDeps): Router {
  const router = Router();

  router.post('/timer/:id/replay', async (req, res) => {
    const id = req.params.id.toLowerCase();
    if (rejectBadTimerId(res, id)) return;
    const before = await findTimer(deps.mainDb, id);
    const visible = before !== null && canSee(ownerScope(viewerOf(res)), before.owner_id);
    const replayed = visible ? await replayTimers(deps.mainDb, deps.shards, [id], deps.now) : [];
    const row = visible ? await findTimer(deps.mainDb, id) : null;
    if (!row) return sendMissing(res, deps.mainDb, 'timers', 'timer', id);
    if (replayed.length === 0) {
      res.status(409).json({ error: 'not_failed', message: `only a failed timer can be replayed; this one is ${row.state}` });
      return;
    }
    res.json(timerView(row, deps.now(), deps.defaultMaxAttempts));
  });

  router.post('/timers/replay', requireJson, jsonBody({ limit: deps.bodyLimitBytes, strict: false }), async (req, res) => {
    const filter = bulkReplayRequest.safeParse(req.body ?? {});
    if (!filter.success) {
      sendInvalid(res, 'the filter is not valid', filter.error);
      return;
    }
    const ids = await findFailed(deps.mainDb, filter.data, ownerScope(viewerOf(res)));
    const replayed = ids.length === 0 ? [] : await replayTimers(deps.mainDb, deps.shards, ids, deps.now);
    res.json({ replayed: replayed.length, ids: replayed });
  });

  return router;
}
