// Managing one timer before it fires: DELETE /timer/{id} cancels it, PATCH /timer/{id} reschedules it
// (a new delay or fire_at, a new URL). Both wait, like GET, for a just-accepted timer to be stored.
import { Router, type Response } from 'express';
import { jsonBody } from '../http/storable-input.js';
import type { Pool } from '../../common/db/pool.js';
import type { AddressPolicy } from '../../common/webhooks/callback-address.js';
import { changesTime, fireAtOf, rescheduleTimerRequest } from './timer-request.js';
import { findTimerWaiting } from './find-timer.js';
import { cancelTimer, rescheduleTimer, type Change } from './manage-timers.js';
import { timerView } from './timer-view.js';
import { rejectBadTimerId, requireJson, sendInvalid } from '../http/http-errors.js';
import { refusedCallback, sendRejection, tooLate } from './check-timer.js';
import { canSee, ownerScope, viewerOf } from '../auth/authenticate.js';
import { sendMissing } from '../http/expired-ids.js';

export interface ManageRouteDeps {
  mainDb: Pool;
  shards: Pool[];
  addressPolicy: AddressPolicy;
  bodyLimitBytes: number;
  readYourWritesWaitMs: number;
  defaultMaxAttempts: number;
  now: () => number;
}

const CONFLICT: Record<string, string> = {
  firing: 'the timer is being delivered right now',
  delivered: 'the timer has fired already',
  failed: 'the timer has fired already (its delivery failed; replay it instead)',
  cancelled: 'the timer was cancelled',
};

export function timerManageRoutes(deps: ManageRouteDeps): Router {
  const router = Router();

  function answer(res: Response, id: string, change: Change): void {
    if (change.kind === 'missing') {
      res.status(404).json({ error: 'not_found', message: `no timer with id ${id}` });
    } else if (change.kind === 'not_pending') {
      res.status(409).json({ error: 'not_pending', state: change.state, message: CONFLICT[change.state] ?? `the timer is ${change.state}` });
    } else {
      res.json(timerView(change.row, deps.now(), deps.defaultMaxAttempts));
    }
  }

  /** The timer's id in canonical form once it is stored, or null after answering 400, 404 or 410. */
  async function storedTimer(res: Response, rawId: string): Promise<string | null> {
    if (rejectBadTimerId(res, rawId)) return null;
    const id = rawId.toLowerCase();
    const row = await findTimerWaiting(deps.mainDb, id, deps.readYourWritesWaitMs, deps.now);
    // Another user's timer is as good as unknown.
    if (row && canSee(ownerScope(viewerOf(res)), row.owner_id)) return id;
    await sendMissing(res, deps.mainDb, 'timers', 'timer', id);
    return null;
  }

  router.delete('/timer/:id', async (req, res) => {
    const id = await storedTimer(res, req.params.id);
    if (id) answer(res, id, await cancelTimer(deps.mainDb, deps.shards, id));
  });

  router.patch('/timer/:id', requireJson, jsonBody({ limit: deps.bodyLimitBytes, strict: false }), async (req, res) => {
    const parsed = rescheduleTimerRequest.safeParse(req.body);
    if (!parsed.success) return sendInvalid(res, 'the change is not valid', parsed.error);
    const now = deps.now();
    const fireAt = changesTime(parsed.data) ? fireAtOf(parsed.data, now) : null;
    const url = parsed.data.url ?? null;
    const rejection = (fireAt === null ? null : tooLate(fireAt, now)) ?? (url === null ? null : await refusedCallback(deps.addressPolicy, url));
    if (rejection) return sendRejection(res, rejection);
    const id = await storedTimer(res, String(req.params.id));
    if (id) answer(res, id, await rescheduleTimer(deps.mainDb, deps.shards, id, { fireAt, url }));
  });

  return router;
}
