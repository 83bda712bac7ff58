// The schedule routes: POST /schedules, GET /schedules (a cursor list) and /schedules/{id}, PATCH and
// DELETE /schedules/{id}, and /pause, /resume and /run. A schedule belongs to the user whose token
// created it, as a timer does; another user's schedule is as good as unknown.
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Pool } from '../../common/db/pool.js';
import type { AddressPolicy } from '../../common/webhooks/callback-address.js';
import type { TaskContracts } from '../../common/tasks/contracts.js';
import type { RetentionBounds } from '../../common/messages/retention.js';
import { checkTaskArgs } from '../../common/tasks/contracts.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { findSchedule, listSchedules, type ScheduleRow } from '../../common/store/schedules.js';
import { listTimers } from '../../common/store/timers.js';
import { createdCursor, encodeCursor } from '../timers/list-timers.js';
import { changeSchedule, createSchedule, removeSchedule, runScheduleNow, type ChainStores } from '../../common/schedules/chain.js';
import { jsonBody } from '../http/storable-input.js';
import { requireJson, sendFieldErrors, sendInvalid } from '../http/http-errors.js';
import { refusedUrls, retentionOutOfBounds, sendRejection } from '../timers/check-timer.js';
import { canSee, ownerScope, viewerOf } from '../auth/authenticate.js';
import { createScheduleRequest, mergePatch, patchScheduleRequest, type CreateScheduleRequest } from './schedule-request.js';
import { requestOf, settingsOf, settingsOfRow, type TaskDefaults } from './schedule-settings.js';
import { scheduleView } from './schedule-view.js';

export interface ScheduleRouteDeps {
  mainDb: Pool;
  shards: Pool[];
  addressPolicy: AddressPolicy;
  /** RETENTION_MIN_S..RETENTION_MAX_S: what a schedule's retention_s may ask for */
  retentionBounds: RetentionBounds;
  bodyLimitBytes: number;
  now: () => number;
  /** a run placed due within this long signals its shard's pollers */
  scheduleDueSoonMs?: number | null;
  /** task schedules need the task types of this configuration */
  tasks?: { contracts: TaskContracts; defaultMaxAttempts: number; defaultTimeoutS: number };
}

/** How many last runs GET /schedules/{id} shows. */
export const LAST_RUNS = 10;
export const MAX_PAGE = 500;

const listQuery = z.strictObject({
  paused: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  name_prefix: z.string().max(200).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`).default(50),
  cursor: createdCursor.optional(),
});

export function scheduleRoutes(deps: ScheduleRouteDeps): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });
  const stores: ChainStores = { main: deps.mainDb, shards: deps.shards, dueSoonMs: deps.scheduleDueSoonMs ?? null };
  const taskDefaults: TaskDefaults = { maxAttempts: deps.tasks?.defaultMaxAttempts ?? 3, timeoutS: deps.tasks?.defaultTimeoutS ?? 30 };

  /** The target's checks beyond its shape: callback addresses that are allowed, a task type this configuration runs. True when answered. */
  async function refuseTarget(res: Response, request: CreateScheduleRequest): Promise<boolean> {
    const { url, callback_url, failure_callback_url } = request;
    const rejection = await refusedUrls(deps.addressPolicy, { url, callback_url, failure_callback_url });
    if (rejection) {
      sendRejection(res, rejection);
      return true;
    }
    if (request.task) {
      const check = deps.tasks
        ? checkTaskArgs(deps.tasks.contracts, request.task.type, request.task.args)
        : { ok: false as const, details: [{ field: 'type', message: 'tasks are not enabled on this service' }] };
      if (check.ok) return false;
      sendFieldErrors(
        res,
        'the schedule is not valid',
        check.details.map((d) => ({ ...d, field: `task.${d.field}` })),
      );
      return true;
    }
    return false;
  }

  /** The schedule when the caller may see it, else null after answering 400 or 404. */
  async function visibleSchedule(res: Response, rawId: string): Promise<ScheduleRow | null> {
    const id = z.uuid().safeParse(rawId);
    if (!id.success) {
      res.status(400).json({ error: 'invalid_id', message: 'the schedule id must be a UUID', details: [{ field: 'id', message: 'must be a UUID' }] });
      return null;
    }
    const row = await findSchedule(deps.mainDb, id.data.toLowerCase());
    if (row && canSee(ownerScope(viewerOf(res)), row.owner_id)) return row;
    res.status(404).json({ error: 'not_found', message: `no schedule with id ${rawId}` });
    return null;
  }

  const lastRuns = (scheduleId: string) => listTimers(deps.mainDb, { schedule_id: scheduleId, limit: LAST_RUNS });
  const notFound = (res: Response, id: string) => res.status(404).json({ error: 'not_found', message: `no schedule with id ${id}` });

  router.post('/schedules', requireJson, parseJson, async (req, res) => {
    const parsed = createScheduleRequest.safeParse(req.body);
    if (!parsed.success) return sendInvalid(res, 'the schedule is not valid', parsed.error);
    const outOfBounds = retentionOutOfBounds(parsed.data.retention_s, deps.retentionBounds, 'schedule');
    if (outOfBounds) return sendRejection(res, outOfBounds);
    if (await refuseTarget(res, parsed.data)) return;
    const now = deps.now();
    const row = await createSchedule(stores, newTimerId(), viewerOf(res)?.id ?? null, settingsOf(parsed.data, now, taskDefaults), now, parsed.data.flow_control ?? null);
    res.status(201).location(`/schedules/${row.id}`).json(scheduleView(row, []));
  });

  router.get('/schedules', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) return sendInvalid(res, 'the query is not valid', query.error);
    const { paused, name_prefix, limit, cursor } = query.data;
    const rows = await listSchedules(deps.mainDb, { paused: paused === undefined ? undefined : paused === 'true', name_prefix, cursor, limit: limit + 1 }, ownerScope(viewerOf(res)));
    const page = rows.slice(0, limit);
    res.json({ schedules: page.map((row) => scheduleView(row)), next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null });
  });

  router.get('/schedules/:id', async (req, res) => {
    const row = await visibleSchedule(res, req.params.id);
    if (row) res.json(scheduleView(row, await lastRuns(row.id)));
  });

  router.patch('/schedules/:id', requireJson, parseJson, async (req, res) => {
    const patch = patchScheduleRequest.safeParse(req.body);
    if (!patch.success) return sendInvalid(res, 'the change is not valid', patch.error);
    // Only a retention_s the change gives is held to the bounds of now: a stored one stands.
    const outOfBounds = retentionOutOfBounds(patch.data.retention_s, deps.retentionBounds, 'change');
    if (outOfBounds) return sendRejection(res, outOfBounds);
    const current = await visibleSchedule(res, String(req.params.id));
    if (!current) return;
    const merged = createScheduleRequest.safeParse(mergePatch(createScheduleRequest.parse(requestOf(current)), patch.data));
    if (!merged.success) return sendInvalid(res, 'the change is not valid', merged.error);
    if (await refuseTarget(res, merged.data)) return;
    const row = await changeSchedule(stores, current.id, (now) => settingsOf(merged.data, now.created_at.getTime(), taskDefaults), deps.now(), patch.data.flow_control ?? null);
    if (!row) return notFound(res, current.id);
    res.json(scheduleView(row, await lastRuns(row.id)));
  });

  router.delete('/schedules/:id', async (req, res) => {
    const row = await visibleSchedule(res, req.params.id);
    if (!row) return;
    if (await removeSchedule(stores, row.id)) res.status(204).end();
    else notFound(res, row.id);
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    router.post(`/schedules/:id/${action}`, async (req, res) => {
      const current = await visibleSchedule(res, req.params.id);
      if (!current) return;
      const row = await changeSchedule(stores, current.id, (now) => ({ ...settingsOfRow(now), paused }), deps.now());
      if (!row) return notFound(res, current.id);
      res.json(scheduleView(row, await lastRuns(row.id)));
    });
  }

  router.post('/schedules/:id/run', async (req, res) => {
    const row = await visibleSchedule(res, req.params.id);
    if (!row) return;
    const run = await runScheduleNow(stores, row, deps.now());
    res.status(202).json({ schedule_id: row.id, timer_id: run.timer.id, fire_at: new Date(run.timer.fire_at).toISOString() });
  });

  return router;
}
