// The parse service's routes: POST /parse submits a parse task (a worker calls the random-user
// service and records its answer with the submitted data) and answers {task_id}; GET
// /parser_results/{task_id} gives its status and result; GET /async_parser submits the same work
// fire-and-forget (data from ?data=) and answers 202 without an id. All three always need a
// bearer token: the task belongs to its user, and another user's id is a 404. As earlier clients
// send it without a Content-Type, the body is read as JSON whatever its Content-Type.
import { Router } from 'express';
import { jsonBody } from '../http/storable-input.js';
import { z } from 'zod';
import { fieldErrors } from '../http/field-errors.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import { findTask } from '../../common/store/tasks.js';
import { parseArgs, parseContract } from '../../common/tasks/parse.js';
import { submitTask, type TaskDeps } from './submit-task.js';
import { sendBadTaskId, sendFieldErrors } from '../http/http-errors.js';
import { sendMissing } from '../http/expired-ids.js';
import { canSee, ownerScope, requireViewer, viewerOf } from '../auth/authenticate.js';

const asyncParserQuery = z.object({ data: z.string().max(2_048).default('') });

export function parseRoutes(deps: TaskDeps & { bodyLimitBytes: number }): Router {
  const router = Router();
  const parseAnyJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false, type: () => true });
  router.use(['/parse', '/parser_results', '/async_parser'], requireViewer);

  router.post('/parse', parseAnyJson, async (req, res) => {
    const parsed = parseArgs.safeParse(req.body ?? {});
    if (!parsed.success) return sendFieldErrors(res, 'the body must be {"data": "<text>"}', fieldErrors(parsed.error));
    const submitted = await submitTask(deps, { type: parseContract.name, args: parsed.data, ownerId: viewerOf(res)?.id });
    res.location(`/parser_results/${submitted.id}`).json({ task_id: submitted.id });
  });

  router.get('/parser_results/:task_id', async (req, res) => {
    if (!isTimerId(req.params.task_id)) return sendBadTaskId(res, 'task_id');
    const task = await findTask(deps.mainDb, req.params.task_id.toLowerCase());
    const notFound = `no parse task ${req.params.task_id}`;
    if (!task || !canSee(ownerScope(viewerOf(res)), task.owner_id)) return sendMissing(res, deps.mainDb, 'tasks', 'parse task', req.params.task_id, notFound);
    if (task.type !== parseContract.name) return void res.status(404).json({ error: 'not_found', message: notFound });
    res.json({ task_id: task.id, status: task.state, result: task.result ?? null, error: task.error });
  });

  router.get('/async_parser', async (req, res) => {
    const parsed = asyncParserQuery.safeParse(req.query);
    if (!parsed.success) return sendFieldErrors(res, 'the query string is not valid', fieldErrors(parsed.error));
    await submitTask(deps, { type: parseContract.name, args: { data: parsed.data.data }, ownerId: viewerOf(res)?.id });
    res.status(202).json({ status: 'accepted' });
  });

  return router;
}
