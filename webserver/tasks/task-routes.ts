// The general task API: submit (optionally waiting), read (with the callbacks that told its outcome),
// list with filters and a cursor, cancel a task that has not started, and retry a failed one. A
// submission's callback URLs are held to the address policy, as a timer's are.
import { Router, type Response } from 'express';
import { jsonBody } from '../http/storable-input.js';
import { fieldErrors } from '../http/field-errors.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import { cancelTask, findTask, listTasks, namesCallback, retryTask, FINAL_STATES } from '../../common/store/tasks.js';
import { findCallbacks } from '../../common/store/timers.js';
import type { AddressPolicy } from '../../common/webhooks/callback-address.js';
import type { RetentionBounds } from '../../common/messages/retention.js';
import { refusedUrls, retentionOutOfBounds, sendRejection } from '../timers/check-timer.js';
import { publishTasks } from '../../common/tasks/release-held-tasks.js';
import { checkTaskArgs } from '../../common/tasks/contracts.js';
import { requireJson, sendBadTaskId, sendFieldErrors } from '../http/http-errors.js';
import { listTasksQuery, submitTaskRequest, waitQuery } from './task-request.js';
import { submitTask, type TaskDeps } from './submit-task.js';
import { taskView } from './task-view.js';
import { sendMissing } from '../http/expired-ids.js';
import { canSee, ownerScope, viewerOf } from '../auth/authenticate.js';

const noSuchTask = (res: Response, id: string) => void res.status(404).json({ error: 'not_found', message: `no task with id ${id}` });

export function taskRoutes(deps: TaskDeps & { bodyLimitBytes: number; addressPolicy: AddressPolicy; retentionBounds: RetentionBounds }): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });
  const wait = waitQuery(deps.maxWaitS);
  // No task (or another owner's): 410 when retention may have removed it, else 404.
  const missingTask = (res: Response, id: string) => sendMissing(res, deps.mainDb, 'tasks', 'task', id);

  router.post('/tasks', requireJson, parseJson, async (req, res) => {
    const query = wait.safeParse(req.query);
    if (!query.success) return sendFieldErrors(res, 'the query string is not valid', fieldErrors(query.error));
    const body = submitTaskRequest.safeParse(req.body);
    if (!body.success) return sendFieldErrors(res, 'the task is not valid', fieldErrors(body.error));
    const checked = checkTaskArgs(deps.contracts, body.data.type, body.data.args);
    if (!checked.ok) return sendFieldErrors(res, 'the task is not valid', checked.details);
    const { delay_seconds, run_at, timeout_s, max_attempts, flow_control, result_url, callback_url, failure_callback_url, retention_s } = body.data;
    const callbackUrls = { result_url, callback_url, failure_callback_url };
    const refused = retentionOutOfBounds(retention_s, deps.retentionBounds, 'task') ?? (await refusedUrls(deps.addressPolicy, callbackUrls));
    if (refused) return sendRejection(res, refused);
    const runAt = run_at !== undefined ? Date.parse(run_at) : undefined;
    const delayMs = delay_seconds !== undefined ? delay_seconds * 1000 : undefined;
    const submitted = await submitTask(
      deps,
      {
        type: body.data.type,
        args: checked.args,
        runAt,
        delayMs,
        timeoutS: timeout_s,
        maxAttempts: max_attempts,
        ownerId: viewerOf(res)?.id,
        flowControl: flow_control,
        callbackUrls,
        retentionS: retention_s,
      },
      (query.data.wait ?? 0) * 1000,
    );
    res.location(`/tasks/${submitted.id}`);
    if (submitted.task && FINAL_STATES.has(submitted.state)) return void res.status(200).json(taskView(submitted.task));
    res.status(202).json({ id: submitted.id, state: submitted.state });
  });

  router.get('/tasks', async (req, res) => {
    const query = listTasksQuery.safeParse(req.query);
    if (!query.success) return sendFieldErrors(res, 'the query string is not valid', fieldErrors(query.error));
    const q = query.data;
    const rows = await listTasks(deps.mainDb, {
      type: q.type,
      state: q.state,
      created_after: q.created_after ? Date.parse(q.created_after) : undefined,
      created_before: q.created_before ? Date.parse(q.created_before) : undefined,
      cursor: q.cursor,
      // One row more than the page: whether it comes back says whether there is a next page.
      limit: q.limit + 1,
      scope: ownerScope(viewerOf(res)),
    });
    const page = rows.slice(0, q.limit);
    const next = rows.length > q.limit ? page[page.length - 1]!.id : null;
    res.json({ tasks: page.map((row) => taskView(row)), next_cursor: next });
  });

  router.get('/tasks/:id', async (req, res) => {
    if (!isTimerId(req.params.id)) return sendBadTaskId(res);
    const task = await findTask(deps.mainDb, req.params.id.toLowerCase());
    if (!task || !canSee(ownerScope(viewerOf(res)), task.owner_id)) return missingTask(res, req.params.id);
    // Its callbacks: read only for a task that names where its outcome is told.
    const callbacks = namesCallback(task) ? await findCallbacks(deps.mainDb, task.id) : [];
    res.json(taskView(task, callbacks));
  });

  router.post('/tasks/:id/cancel', async (req, res) => {
    if (!isTimerId(req.params.id)) return sendBadTaskId(res);
    const found = await findTask(deps.mainDb, req.params.id.toLowerCase());
    if (!found || !canSee(ownerScope(viewerOf(res)), found.owner_id)) return missingTask(res, req.params.id);
    const outcome = await cancelTask(deps.mainDb, found.id);
    if (outcome.kind === 'not_found') return noSuchTask(res, req.params.id);
    if (outcome.kind === 'too_late') {
      return void res.status(409).json({ error: 'not_cancellable', message: `the task is ${outcome.task.state}; only a queued task can be cancelled`, state: outcome.task.state });
    }
    res.json(taskView(outcome.task));
  });

  // A failed task starts over: queued with no attempts, published again; the row changes only once the
  // broker confirmed the message (a refusal: 503, and the task is still failed).
  router.post('/tasks/:id/retry', async (req, res) => {
    if (!isTimerId(req.params.id)) return sendBadTaskId(res);
    const found = await findTask(deps.mainDb, req.params.id.toLowerCase());
    if (!found || !canSee(ownerScope(viewerOf(res)), found.owner_id)) return missingTask(res, req.params.id);
    const outcome = await retryTask(deps.mainDb, found.id, () => publishTasks(deps.amqp, [found.id]));
    if (outcome.kind === 'not_found') return noSuchTask(res, req.params.id);
    if (outcome.kind === 'not_failed') {
      return void res.status(409).json({ error: 'not_failed', message: `only a failed task can be retried; this one is ${outcome.task.state}`, state: outcome.task.state });
    }
    res.json(taskView(outcome.task));
  });

  return router;
}
