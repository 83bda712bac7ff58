// POST /timers: up to 1,000 timers in one request, each checked and answered on its own, so one bad
// item does not refuse the others. The valid ones are published together as one persistent message
// (one confirm for the batch; the consumer stores each timer of it) and answered 201 once the broker
// has confirmed it, or all 503 when it has not.
import { Router, json } from 'express';
import { z } from 'zod';
import type { AmqpClient } from '../../common/broker/amqp.js';
import { DependencyUnavailableError } from '../../common/errors/dependency-unavailable.js';
import { buildTimer, publishTimers } from './publish-timer.js';
import { checkTimer, createdView, type CheckDeps, type TimerRejection } from './check-timer.js';
import { requireJson, sendInvalid } from '../http/http-errors.js';
import { requestIdOf } from '../http/request-id.js';
import { viewerOf } from '../auth/authenticate.js';
import { metrics } from '../../common/observability/metrics.js';

export const MAX_BATCH = 1_000;
// 1,000 plain timers ({hours, minutes, seconds, url}) take about 150 KB; shaped ones more.
// nginx allows the same for this route.
export const BATCH_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export const batchRequest = z.strictObject({
  timers: z.array(z.unknown(), { error: 'must be an array of timers' }).min(1, 'must hold at least one timer').max(MAX_BATCH, `must hold at most ${MAX_BATCH} timers`),
});

export interface BatchRouteDeps extends CheckDeps {
  amqp: AmqpClient;
  now: () => number;
}

type ItemAnswer = ({ status: 201 } & ReturnType<typeof createdView>) | ({ status: number } & TimerRejection['body']);

const unavailable = (err: unknown): TimerRejection['body'] => ({
  error: 'service_unavailable',
  dependency: err instanceof DependencyUnavailableError ? err.dependency : 'broker',
  message: 'the broker did not take this timer; retry it',
});

export function batchRoutes(deps: BatchRouteDeps): Router {
  const router = Router();
  // The envelope is read without the whole-body text check: each item is answered on its own, and the
  // timer schema refuses text PostgreSQL cannot store in that item, naming the field.
  router.post('/timers', requireJson, json({ limit: BATCH_BODY_LIMIT_BYTES, strict: false }), async (req, res) => {
    const batch = batchRequest.safeParse(req.body);
    if (!batch.success) return sendInvalid(res, 'the batch is not valid', batch.error);
    const now = deps.now();
    const requestId = requestIdOf(res);
    const ownerId = viewerOf(res)?.id;
    const checked = await Promise.all(batch.data.timers.map((item) => checkTimer(deps, item, now)));
    const timers = checked.map((item) => (item.ok ? buildTimer(item.request, now, { requestId, ownerId }) : null));
    const valid = timers.filter((timer) => timer !== null);
    let failure: TimerRejection['body'] | null = null;
    if (valid.length > 0) {
      try {
        await publishTimers(deps.amqp, valid);
        metrics.timersCreated.inc(valid.length);
      } catch (err) {
        failure = unavailable(err);
      }
    }
    const results = checked.map((item, i): ItemAnswer => {
      if (!item.ok) return { status: item.rejection.status, ...item.rejection.body };
      return failure ? { status: 503, ...failure } : { status: 201, ...createdView(timers[i]!, now) };
    });
    const accepted = results.filter((r) => r.status === 201).length;
    res.status(200).json({ accepted, refused: results.length - accepted, results });
  });
  return router;
}
