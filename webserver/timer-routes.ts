// Seed 001's routes: POST /timer and GET /timer/{id}.
import { Router, json } from 'express';
import type { AmqpClient } from '../common/amqp.js';
import type { Pool } from '../common/db.js';
import { createTimerRequest } from '../common/timer-request.js';
import { timeLeftSeconds } from '../common/time.js';
import { publishTimer } from './publish-timer.js';
import { findTimerWaiting } from './find-timer.js';
import { timerView } from './timer-view.js';
import { rejectBadTimerId, requireJson, sendInvalid } from './http-errors.js';
import type { AddressPolicy } from '../common/callback-address.js';
import type { QueueDepthGuard } from './queue-guard.js';
import { canSee, ownerScope, viewerOf } from './authenticate.js';

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
  now: () => number;
}

export function timerRoutes(deps: TimerRouteDeps): Router {
  const router = Router();
  const parseJson = json({ limit: deps.bodyLimitBytes, strict: false });

  router.post('/timer', requireJson, parseJson, async (req, res) => {
    const parsed = createTimerRequest.safeParse(req.body);
    if (!parsed.success) {
      sendInvalid(res, 'the timer is not valid', parsed.error);
      return;
    }
    const refusal = await deps.addressPolicy.refusalOfUrl(parsed.data.url);
    if (refusal) {
      res.status(422).json({ error: 'callback_refused', message: 'the callback URL is not allowed', details: [{ field: 'url', message: refusal }] });
      return;
    }
    if (deps.incomingQueue.isFull()) {
      res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: 'queue_full', dependency: 'broker', message: 'too many timers are waiting to be stored; retry shortly' });
      return;
    }
    const now = deps.now();
    const timer = await publishTimer(deps.amqp, parsed.data, now, viewerOf(res)?.id);
    res
      .status(201)
      .location(`/timer/${timer.id}`)
      .json({ id: timer.id, time_left: timeLeftSeconds(timer.fire_at, now), fire_at: new Date(timer.fire_at).toISOString() });
  });

  router.get('/timer/:id', async (req, res) => {
    const { id } = req.params;
    if (rejectBadTimerId(res, id)) return;
    const row = await findTimerWaiting(deps.mainDb, id.toLowerCase(), deps.readYourWritesWaitMs, deps.now);
    if (!row || !canSee(ownerScope(viewerOf(res)), row.owner_id)) {
      res.status(404).json({ error: 'not_found', message: `no timer with id ${id}` });
      return;
    }
    res.json(timerView(row, deps.now(), deps.defaultMaxAttempts));
  });

  return router;
}
