// Pausing and resuming task execution by type (operators only): GET /tasks/types lists every task type of
// this configuration with its pause; POST /tasks/types/{type}/pause (optionally until an instant) and
// /resume write task_type_pauses. Workers read it about once a second (worker/paused-types.ts): a task of
// a paused type is held in the tasks table ('held') instead of running. A resume here publishes the held
// tasks of the type again at once, oldest first; should the broker refuse, the workers do it at their
// next look, so the resume stands either way.
import { Router } from 'express';
import { z } from 'zod';
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';
import type { Logger } from '../../common/observability/logger.js';
import { instantText } from '../../common/messages/storable.js';
import type { TaskContracts } from '../../common/tasks/contracts.js';
import { activePauses, pauseTaskType, resumeTaskType, type TaskTypePause } from '../../common/store/task-type-pauses.js';
import { releaseHeld } from '../../common/tasks/release-held-tasks.js';
import { jsonBody } from '../http/storable-input.js';
import { jsonIfAny, sendFieldErrors, sendInvalid } from '../http/http-errors.js';
import { requireAdmin } from '../auth/require-admin.js';

export interface TaskTypeRouteDeps {
  mainDb: Pool;
  amqp: AmqpClient;
  contracts: TaskContracts;
  bodyLimitBytes: number;
  log: Logger;
  now: () => number;
}

export const pauseRequest = z.strictObject({
  until: instantText.optional().describe('the pause ends by itself at this instant (ISO 8601, in the future); none: until resumed'),
});

/** A type and its pause, as the API shows it. */
export function taskTypeView(type: string, pause: TaskTypePause | undefined) {
  return {
    type,
    paused: pause !== undefined,
    paused_at: pause ? pause.paused_at.toISOString() : null,
    paused_until: pause?.until ? pause.until.toISOString() : null,
  };
}

export function taskTypeRoutes(deps: TaskTypeRouteDeps): Router {
  const router = Router();
  const admin = requireAdmin('pauses and resumes task types');
  const known = (type: string) => deps.contracts.has(type);
  const unknown = (type: string) => ({ error: 'not_found', message: `no task type ${type}; known: ${[...deps.contracts.keys()].join(', ')}` });

  router.get('/tasks/types', admin, async (_req, res) => {
    const pauses = new Map((await activePauses(deps.mainDb)).map((pause) => [pause.type, pause]));
    res.json({ types: [...deps.contracts.keys()].map((type) => taskTypeView(type, pauses.get(type))) });
  });

  router.post('/tasks/types/:type/pause', admin, jsonIfAny, jsonBody({ limit: deps.bodyLimitBytes, strict: false }), async (req, res) => {
    const type = req.params.type as string;
    if (!known(type)) return void res.status(404).json(unknown(type));
    const body = pauseRequest.safeParse(req.body ?? {});
    if (!body.success) return sendInvalid(res, 'the pause is not valid', body.error);
    const until = body.data.until === undefined ? null : Date.parse(body.data.until);
    if (until !== null && until <= deps.now()) return sendFieldErrors(res, 'the pause is not valid', [{ field: 'until', message: 'must be in the future' }]);
    const pause = await pauseTaskType(deps.mainDb, type, until);
    deps.log.info({ task_type: type, until: pause.until?.toISOString() ?? null }, 'task type paused');
    res.json(taskTypeView(type, pause));
  });

  router.post('/tasks/types/:type/resume', admin, async (req, res) => {
    const type = req.params.type as string;
    if (!known(type)) return void res.status(404).json(unknown(type));
    const wasPaused = await resumeTaskType(deps.mainDb, type);
    const released = await releaseHeld(deps.mainDb, deps.amqp, type).catch((err: unknown) => {
      deps.log.warn({ err: (err as Error).message, task_type: type }, 'could not publish the held tasks again; the workers will');
      return 0;
    });
    deps.log.info({ task_type: type, was_paused: wasPaused, released }, 'task type resumed');
    res.json(taskTypeView(type, undefined));
  });

  return router;
}
