// The dead-letter queues for an admin: how many messages each .dead queue holds, its first messages
// with why they were dead-lettered, and sending some or all of them back to their work queue or
// dropping them (common/broker/dead-letter-queues.ts does the broker's part and says what two admins
// at once see). A queue is named by its work queue's short name (incoming_timers, timers_to_fire, tasks,
// incoming_logs).
import { Router, type Response } from 'express';
import type { AmqpClient } from '../../common/broker/amqp.js';
import {
  DEAD_LETTER_QUEUES,
  MAX_SCANNED,
  deadLetterQueue,
  discardDeadLetters,
  peekDeadLetters,
  requeueDeadLetters,
  type DeadLetterQueue,
  type MoveResult,
} from '../../common/broker/dead-letter-queues.js';
import { queueDepth } from '../dashboard/dashboard-queues.js';
import { requireAdmin } from '../auth/require-admin.js';
import { jsonBody } from '../http/storable-input.js';
import { requireJson, sendInvalid } from '../http/http-errors.js';
import { peekQuery, selectionOf, selectionRequest } from './dead-letter-request.js';

export interface DeadLetterRouteDeps {
  amqp: AmqpClient;
  bodyLimitBytes: number;
}

/** The pair named by the path, or null once the 404 naming it is sent. */
function pairOf(deps: DeadLetterRouteDeps, res: Response, name: string): DeadLetterQueue | null {
  const pair = deadLetterQueue(deps.amqp.names, name);
  if (!pair) res.status(404).json({ error: 'not_found', message: `no dead-letter queue named ${name}; the queues are ${DEAD_LETTER_QUEUES.join(', ')}` });
  return pair;
}

function missing(res: Response, pair: DeadLetterQueue): void {
  res.status(404).json({ error: 'not_found', message: `the broker has no queue ${pair.dead} (deleted by hand? it is declared again when the webserver reconnects)` });
}

function moveAnswer(pair: DeadLetterQueue, verb: 'requeued' | 'discarded', result: MoveResult) {
  return {
    queue: pair.name,
    [verb]: result.moved,
    not_found: result.notFound,
    scanned: result.scanned,
    scan_limit_reached: result.scanLimitReached,
    ...(result.scanLimitReached ? { message: `only the first ${MAX_SCANNED} messages were looked at; send the request again for the rest` } : {}),
  };
}

export function deadLetterRoutes(deps: DeadLetterRouteDeps): Router {
  const router = Router();
  const admin = requireAdmin('reads and moves dead letters');
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });

  router.get('/dead-letters', admin, async (_req, res) => {
    const queues = await Promise.all(
      DEAD_LETTER_QUEUES.map(async (name) => {
        const pair = deadLetterQueue(deps.amqp.names, name)!;
        return { queue: name, dead_letter_queue: pair.dead, messages: (await queueDepth(deps.amqp, pair.dead)).messages };
      }),
    );
    res.json({ queues, messages: queues.reduce((sum, queue) => sum + (queue.messages ?? 0), 0) });
  });

  router.get('/dead-letters/:queue', admin, async (req, res) => {
    const pair = pairOf(deps, res, req.params.queue as string);
    if (!pair) return;
    const query = peekQuery.safeParse(req.query);
    if (!query.success) return sendInvalid(res, 'the query string is not valid', query.error);
    const peeked = await peekDeadLetters(deps.amqp, pair, query.data.limit);
    if (!peeked) return missing(res, pair);
    res.json({ queue: pair.name, dead_letter_queue: pair.dead, messages: peeked.messages, dead_letters: peeked.deadLetters });
  });

  for (const [action, verb, move] of [
    ['requeue', 'requeued', requeueDeadLetters],
    ['discard', 'discarded', discardDeadLetters],
  ] as const) {
    router.post(`/dead-letters/:queue/${action}`, admin, requireJson, parseJson, async (req, res) => {
      const pair = pairOf(deps, res, req.params.queue as string);
      if (!pair) return;
      const body = selectionRequest.safeParse(req.body);
      if (!body.success) return sendInvalid(res, 'the selection is not valid', body.error);
      const result = await move(deps.amqp, pair, selectionOf(body.data));
      if (!result) return missing(res, pair);
      res.json(moveAnswer(pair, verb, result));
    });
  }

  return router;
}
