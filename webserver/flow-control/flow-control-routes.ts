// The flow-control routes of a caller's own keys: PUT /flow-control/{key} (its limits), GET
// /flow-control/{key} and GET /flow-control (a cursor list), and /pause and /resume. A key belongs to
// the caller's owner (the token's user; callers without a token share the ownerless keys): another
// owner's key of the same name is another key, and unknown to this caller. An admin acts on any owner's
// key with `?owner_id=` (a user's id, or `none`).
import { Router, type Request, type Response } from 'express';
import type { Pool } from '../../common/db/pool.js';
import { flowKeyId, inFlight, findFlowKey, listFlowKeys, pauseFlowKey, putFlowKey, resumeFlowKey, type FlowKeyRow } from '../../common/store/flow-keys.js';
import { jsonBody } from '../http/storable-input.js';
import { jsonIfAny, requireJson, sendFieldErrors, sendInvalid } from '../http/http-errors.js';
import { ownerScope, viewerOf } from '../auth/authenticate.js';
import { encodeJsonCursor } from '../http/json-cursor.js';
import { flowLimitsRequest, keyOwnerQuery, keyParam, listFlowKeysQuery, OWNERLESS, pauseRequest } from './flow-control-request.js';
import { flowKeyView } from './flow-key-view.js';

export interface FlowControlRouteDeps {
  mainDb: Pool;
  bodyLimitBytes: number;
  now: () => number;
}

/** The pause_reason of a pause asked for through the API. */
export const PAUSED_THROUGH_API = 'paused through the API';

/**
 * The end of the pause a body asks for (Infinity: until resumed), else null after answering 422; the
 * pause routes of keys and of all deliveries read it alike.
 */
export function pauseEnd(req: Request, res: Response, now: number): number | null {
  const parsed = pauseRequest.safeParse(req.body ?? {});
  if (!parsed.success) {
    sendInvalid(res, 'the pause is not valid', parsed.error);
    return null;
  }
  if (parsed.data.until === undefined) return Infinity;
  const until = Date.parse(parsed.data.until);
  if (until > now) return until;
  sendFieldErrors(res, 'the pause is not valid', [{ field: 'until', message: 'must be in the future' }]);
  return null;
}

export function flowControlRoutes(deps: FlowControlRouteDeps): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });

  /**
   * The key of the path and its owner (the caller's, or for an admin the `owner_id` asked for), else
   * null after a 422 naming the field or a 403 for another owner's key asked by someone not an admin.
   */
  function keyOf(req: Request, res: Response): { key: string; owner: string | null } | null {
    const parsed = keyParam.safeParse({ key: req.params.key });
    if (!parsed.success) {
      sendInvalid(res, 'the key is not valid', parsed.error);
      return null;
    }
    const query = keyOwnerQuery.safeParse(req.query);
    if (!query.success) {
      sendInvalid(res, 'the query is not valid', query.error);
      return null;
    }
    const viewer = viewerOf(res);
    const own = viewer?.id ?? null;
    const asked = query.data.owner_id === undefined ? own : query.data.owner_id === OWNERLESS ? null : query.data.owner_id;
    if (asked !== own && viewer?.role !== 'admin') {
      res.status(403).json({ error: 'forbidden', message: "only an admin acts on another owner's key (owner_id)" });
      return null;
    }
    return { key: parsed.data.key, owner: asked };
  }

  async function sendKey(res: Response, row: FlowKeyRow, now: number): Promise<void> {
    const leases = await inFlight(deps.mainDb, [row.id], now);
    res.json(flowKeyView(row, leases.get(row.id) ?? 0, now));
  }

  const notFound = (res: Response, key: string) => res.status(404).json({ error: 'not_found', message: `no flow-control key ${key} (keys are per owner)` });

  router.put('/flow-control/:key', requireJson, parseJson, async (req, res) => {
    const named = keyOf(req, res);
    if (named === null) return;
    const limits = flowLimitsRequest.safeParse(req.body);
    if (!limits.success) return sendInvalid(res, 'the limits are not valid', limits.error);
    const { rate, period_s, parallelism } = limits.data;
    const now = deps.now();
    const row = await putFlowKey(deps.mainDb, named.owner, named.key, { rate: rate ?? null, period_s, parallelism: parallelism ?? null }, now);
    await sendKey(res, row, now);
  });

  router.get('/flow-control', async (req, res) => {
    const query = listFlowKeysQuery.safeParse(req.query);
    if (!query.success) return sendInvalid(res, 'the query is not valid', query.error);
    const { limit, cursor } = query.data;
    const after = cursor ? { ownerId: cursor.owner_id, key: cursor.key } : null;
    // One row more than the page: whether it comes back says whether there is a next page.
    const rows = await listFlowKeys(deps.mainDb, ownerScope(viewerOf(res)), after, limit + 1);
    const page = rows.slice(0, limit);
    const now = deps.now();
    const leases = await inFlight(
      deps.mainDb,
      page.map((row) => row.id),
      now,
    );
    const last = page[page.length - 1];
    res.json({
      keys: page.map((row) => flowKeyView(row, leases.get(row.id) ?? 0, now)),
      next_cursor: rows.length > limit && last ? encodeJsonCursor({ owner_id: last.owner_id, key: last.key }) : null,
    });
  });

  router.get('/flow-control/:key', async (req, res) => {
    const named = keyOf(req, res);
    if (named === null) return;
    const row = await findFlowKey(deps.mainDb, flowKeyId('key', named.owner, named.key));
    if (!row) return notFound(res, named.key);
    await sendKey(res, row, deps.now());
  });

  // A key may be paused before any timer names it: the pause creates its row.
  router.post('/flow-control/:key/pause', jsonIfAny, parseJson, async (req, res) => {
    const named = keyOf(req, res);
    if (named === null) return;
    const now = deps.now();
    const until = pauseEnd(req, res, now);
    if (until === null) return;
    const row = await pauseFlowKey(deps.mainDb, 'key', named.owner, named.key, until, PAUSED_THROUGH_API, now);
    await sendKey(res, row, now);
  });

  router.post('/flow-control/:key/resume', async (req, res) => {
    const named = keyOf(req, res);
    if (named === null) return;
    const now = deps.now();
    const row = await resumeFlowKey(deps.mainDb, flowKeyId('key', named.owner, named.key), now);
    if (!row) return notFound(res, named.key);
    await sendKey(res, row, now);
  });

  return router;
}
