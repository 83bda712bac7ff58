// An operator's switch for all deliveries: GET /deliveries (whether they are paused, how many timers
// wait, and the callback hosts paused now by their receivers' Retry-After), POST /deliveries/pause and
// /resume. Admins only: no token is a 401, another user's a 403.
import { Router, type Response } from 'express';
import { DELIVERIES_KEY_ID, findFlowKey, pauseFlowKey, pausedHosts, resumeFlowKey, type FlowKeyRow } from '../../common/store/flow-keys.js';
import { jsonBody } from '../http/storable-input.js';
import { jsonIfAny } from '../http/http-errors.js';
import { requireAdmin } from '../auth/require-admin.js';
import { pausedHostView, pauseView } from './flow-key-view.js';
import { PAUSED_THROUGH_API, pauseEnd, type FlowControlRouteDeps } from './flow-control-routes.js';

/** How many paused hosts GET /deliveries shows at most. */
export const MAX_PAUSED_HOSTS = 100;

export function deliveriesRoutes(deps: FlowControlRouteDeps): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });
  const admin = requireAdmin('pauses, resumes or reads all deliveries');

  async function sendDeliveries(res: Response, row: FlowKeyRow | null, now: number): Promise<void> {
    const hosts = await pausedHosts(deps.mainDb, now, MAX_PAUSED_HOSTS);
    res.json({ ...pauseView(row, now), waiting: row?.held ?? 0, paused_hosts: hosts.map((host) => pausedHostView(host, now)) });
  }

  router.get('/deliveries', admin, async (_req, res) => {
    await sendDeliveries(res, await findFlowKey(deps.mainDb, DELIVERIES_KEY_ID), deps.now());
  });

  router.post('/deliveries/pause', admin, jsonIfAny, parseJson, async (req, res) => {
    const now = deps.now();
    const until = pauseEnd(req, res, now);
    if (until === null) return;
    await sendDeliveries(res, await pauseFlowKey(deps.mainDb, 'deliveries', null, '*', until, PAUSED_THROUGH_API, now), now);
  });

  router.post('/deliveries/resume', admin, async (_req, res) => {
    const now = deps.now();
    await sendDeliveries(res, await resumeFlowKey(deps.mainDb, DELIVERIES_KEY_ID, now), now);
  });

  return router;
}
