// Seed 001's routes: POST /timer and GET /timer/{id}.
import { Router, json } from 'express';
import type { AmqpClient } from '../common/amqp.js';
import type { Pool } from '../common/db.js';
import { createTimerRequest, fieldErrors } from '../common/timer-request.js';
import { timeLeftSeconds } from '../common/time.js';
import { isTimerId } from '../common/timer-id.js';
import { publishTimer } from './publish-timer.js';
import { findTimerWaiting } from './find-timer.js';
import { timerView } from './timer-view.js';
import { requireJson } from './http-errors.js';

export interface TimerRouteDeps {
  amqp: AmqpClient;
  mainDb: Pool;
  bodyLimitBytes: number;
  readYourWritesWaitMs: number;
  now: () => number;
}

export function timerRoutes(deps: TimerRouteDeps): Router {
  const router = Router();
  const parseJson = json({ limit: deps.bodyLimitBytes, strict: false });

  router.post('/timer', requireJson, parseJson, async (req, res) => {
    const parsed = createTimerRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(422).json({ error: 'validation_failed', message: 'the timer is not valid', details: fieldErrors(parsed.error) });
      return;
    }
    const now = deps.now();
    const timer = await publishTimer(deps.amqp, parsed.data, now);
    res
      .status(201)
      .location(`/timer/${timer.id}`)
      .json({ id: timer.id, time_left: timeLeftSeconds(timer.fire_at, now), fire_at: new Date(timer.fire_at).toISOString() });
  });

  router.get('/timer/:id', async (req, res) => {
    const { id } = req.params;
    if (!isTimerId(id)) {
      res.status(400).json({ error: 'invalid_id', message: 'the timer id must be a UUID', details: [{ field: 'id', message: 'must be a UUID' }] });
      return;
    }
    const row = await findTimerWaiting(deps.mainDb, id.toLowerCase(), deps.readYourWritesWaitMs, deps.now);
    if (!row) {
      res.status(404).json({ error: 'not_found', message: `no timer with id ${id}` });
      return;
    }
    res.json(timerView(row, deps.now()));
  });

  return router;
}
