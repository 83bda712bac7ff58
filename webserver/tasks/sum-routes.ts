// The sum service's routes: POST /sync/sum answers the sum, computed by a sum task on a worker, while this
// process keeps serving (it awaits a direct reply, never blocks); POST /async/post_task answers a
// session id (the task id) and GET /async/get_task_result?session_id=... answers null until the task is
// finished, then its result. The body is a JSON list of numbers or {"numbers": [...]}; as its earlier
// clients send no Content-Type, it is read as JSON whatever its Content-Type.
import { Router, type Response } from 'express';
import { jsonBody } from '../http/storable-input.js';
import { z } from 'zod';
import { fieldErrors } from '../http/field-errors.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import { findTask, type TaskRow } from '../../common/store/tasks.js';
import { submitTask, type TaskDeps } from './submit-task.js';
import { sendBadTaskId, sendFieldErrors } from '../http/http-errors.js';
import { sendMissing } from '../http/expired-ids.js';
import { FINITE_SUM_MESSAGE, hasFiniteSum, sumContract } from '../../common/tasks/sum.js';
import { canSee, ownerScope, viewerOf } from '../auth/authenticate.js';

export function sumBody(maxNumbers: number) {
  const numbers = z
    .array(z.number({ error: 'must be a number' }).finite('must be a finite number'), { error: 'must be a list of numbers' })
    .min(1, 'give at least one number')
    .max(maxNumbers, `give at most ${maxNumbers} numbers`)
    // An overflow caused by the input is the client's to fix: refused here, not a failed task and a 500.
    .refine(hasFiniteSum, FINITE_SUM_MESSAGE);
  return z.union([numbers, z.strictObject({ numbers })], { error: 'must be a JSON list of numbers or {"numbers": [...]}' }).transform((body) => (Array.isArray(body) ? body : body.numbers));
}

function taskFailed(res: Response, task: TaskRow): void {
  res.status(500).json({ error: 'task_failed', message: task.error ?? `the task was ${task.state}`, session_id: task.id });
}

export function sumRoutes(deps: TaskDeps & { bodyLimitBytes: number }): Router {
  const router = Router();
  const parseAnyJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false, type: () => true });
  const body = sumBody(deps.sumMaxNumbers);

  router.post('/sync/sum', parseAnyJson, async (req, res) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) return sendFieldErrors(res, 'the numbers are not valid', fieldErrors(parsed.error));
    const submitted = await submitTask(deps, { type: sumContract.name, args: { numbers: parsed.data }, ownerId: viewerOf(res)?.id }, deps.maxWaitS * 1000);
    const task = submitted.task;
    if (task?.state === 'succeeded') return void res.json(task.result);
    if (task?.state === 'failed' || task?.state === 'cancelled') return taskFailed(res, task);
    // Not finished within TASK_MAX_WAIT_S: the client polls like an asynchronous one.
    res.status(202).location(`/async/get_task_result?session_id=${submitted.id}`).json({ session_id: submitted.id });
  });

  router.post('/async/post_task', parseAnyJson, async (req, res) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) return sendFieldErrors(res, 'the numbers are not valid', fieldErrors(parsed.error));
    const submitted = await submitTask(deps, { type: sumContract.name, args: { numbers: parsed.data }, ownerId: viewerOf(res)?.id });
    res.json({ session_id: submitted.id });
  });

  router.get('/async/get_task_result', async (req, res) => {
    const sessionId = req.query.session_id;
    if (typeof sessionId !== 'string' || !isTimerId(sessionId)) return sendBadTaskId(res, 'session_id');
    const task = await findTask(deps.mainDb, sessionId.toLowerCase());
    if (!task || !canSee(ownerScope(viewerOf(res)), task.owner_id)) return sendMissing(res, deps.mainDb, 'tasks', 'session', sessionId, `no session ${sessionId}`);
    if (task.type !== sumContract.name) return void res.status(404).json({ error: 'not_found', message: `no session ${sessionId}` });
    if (task.state === 'succeeded') return void res.json(task.result);
    if (task.state === 'failed' || task.state === 'cancelled') return taskFailed(res, task);
    res.json(null);
  });

  return router;
}
