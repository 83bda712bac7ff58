// The timer routes: POST /timer (with an optional Idempotency-Key) and GET /timer/{id}.
import { Router } from 'express';
import { jsonBody } from '../http/storable-input.js';
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';
import { buildTimer, publishTimer } from './publish-timer.js';
import { checkTimer, sendRejection, createdView } from './check-timer.js';
import { claimKeys, releaseKey, requestHash, type KeyClaim, type KeyRequest } from './idempotency-keys.js';
import { Batcher } from '../../common/batch/batcher.js';
import { findTimerWaiting } from './find-timer.js';
import { findTimer } from '../../common/store/timers.js';
import { callbacksOf } from './timer-callbacks.js';
import { timerView } from './timer-view.js';
import { rejectBadTimerId, requireJson } from '../http/http-errors.js';
import { sendMissing } from '../http/expired-ids.js';
import type { AddressPolicy } from '../../common/webhooks/callback-address.js';
import type { QueueDepthGuard } from './queue-guard.js';
import type { Logger } from '../../common/observability/logger.js';
import { metrics } from '../../common/observability/metrics.js';
import { requestIdOf } from '../http/request-id.js';
import { canSee, ownerScope, viewerOf } from '../auth/authenticate.js';
import type { RetentionBounds } from '../../common/messages/retention.js';

export interface TimerRouteDeps {
  amqp: AmqpClient;
  mainDb: Pool;
  bodyLimitBytes: number;
  readYourWritesWaitMs: number;
  /** which callback addresses are refused (loopback, private, ... unless allowed) */
  addressPolicy: AddressPolicy;
  defaultMaxAttempts: number;
  /** says when incoming_timers is full */
  incomingQueue: Pick<QueueDepthGuard, 'isFull'>;
  /** RETENTION_MIN_S..RETENTION_MAX_S: what a timer's, task's or schedule's retention_s may ask for */
  retentionBounds: RetentionBounds;
  now: () => number;
  /** a debug line per accepted timer, with its request id */
  log?: Logger;
}

// Visible ASCII, as most APIs that take an Idempotency-Key allow.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

// Idempotency keys of requests arriving together are claimed in one statement (group commit).
const KEY_BATCH_MAX = 500;
const KEY_BATCHES_IN_FLIGHT = 2;

export function timerRoutes(deps: TimerRouteDeps): Router {
  const router = Router();
  const keys = new Batcher<KeyRequest, KeyClaim>((requests) => claimKeys(deps.mainDb, requests), KEY_BATCH_MAX, KEY_BATCHES_IN_FLIGHT);
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });

  router.post('/timer', requireJson, parseJson, async (req, res) => {
    const now = deps.now();
    const key = req.get('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      res.status(400).json({ error: 'invalid_idempotency_key', message: 'Idempotency-Key must be 1-255 visible ASCII characters' });
      return;
    }
    const checked = await checkTimer(deps, req.body, now);
    if (!checked.ok) return sendRejection(res, checked.rejection);
    const origin = { requestId: requestIdOf(res), ownerId: viewerOf(res)?.id };
    let timer = buildTimer(checked.request, now, origin);
    let status = 201;
    if (key !== undefined) {
      // Keys are per owner: two users may pick the same one.
      const claim = await keys.add({ key: `${origin.ownerId ?? '-'}:${key}`, hash: requestHash(req.body), timer });
      if (claim.kind === 'mismatch') {
        res.status(422).json({ error: 'idempotency_key_reused', message: 'this Idempotency-Key was used with another request body in the last 24 hours' });
        return;
      }
      // The same request again: the same timer, published once more in case the first publish never made it.
      if (claim.kind === 'repeat') {
        timer = { ...buildTimer(checked.request, claim.createdAt, { ...origin, id: claim.timerId }), fire_at: claim.fireAt };
        status = 200;
      }
    }
    try {
      await publishTimer(deps.amqp, timer);
    } catch (err) {
      if (key !== undefined && status === 201) await releaseKey(deps.mainDb, `${origin.ownerId ?? '-'}:${key}`, timer.id).catch(() => undefined);
      throw err;
    }
    if (status === 201) metrics.timersCreated.inc();
    deps.log?.debug({ timer_id: timer.id, request_id: origin.requestId }, status === 201 ? 'timer accepted' : 'timer accepted again (Idempotency-Key)');
    // A repeat answers with the timer as it is now, once the consumer has stored it.
    const stored = status === 200 ? await findTimer(deps.mainDb, timer.id) : null;
    res
      .status(status)
      .location(`/timer/${timer.id}`)
      .json(stored ? timerView(stored, now, deps.defaultMaxAttempts) : createdView(timer, now));
  });

  router.get('/timer/:id', async (req, res) => {
    const { id } = req.params;
    if (rejectBadTimerId(res, id)) return;
    const row = await findTimerWaiting(deps.mainDb, id.toLowerCase(), deps.readYourWritesWaitMs, deps.now);
    if (!row || !canSee(ownerScope(viewerOf(res)), row.owner_id)) return sendMissing(res, deps.mainDb, 'timers', 'timer', id);
    res.json(timerView(row, deps.now(), deps.defaultMaxAttempts, await callbacksOf(deps.mainDb, row)));
  });

  return router;
}
