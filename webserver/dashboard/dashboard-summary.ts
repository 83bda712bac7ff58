// GET /dashboard/api/summary's answer: counts by state, queue depths, processes alive, the lateness
// histogram of the running triggers, and the newest and the failed timers and tasks. Built at most once
// per CACHE_MS in a webserver, however many dashboards poll it: concurrent polls share one build.
import type { Pool } from '../../common/db/pool.js';
import type { AmqpClient } from '../../common/broker/amqp.js';
import { countByState as countTasksByState, listTasks, type TaskRow } from '../../common/store/tasks.js';
import { heartbeats } from '../../common/store/heartbeats.js';
import { ALIVE_INTERVALS } from '../../common/process/heartbeat.js';
import { timerView } from '../timers/timer-view.js';
import { taskView } from '../tasks/task-view.js';
import { countByState as countTimersByState, lastOutcomes, listTimers, type TimerRow } from '../../common/store/timers.js';
import { countSchedules, listSchedules } from '../../common/store/schedules.js';
import { stateOf } from '../schedules/schedule-view.js';
import { queueDepths, type QueueDepth } from './dashboard-queues.js';
import { aliveTriggerLateness, processSummary } from './dashboard-processes.js';
import { FINISHED_WINDOW_MS } from '../../common/store/count-within.js';

export interface DashboardDeps {
  mainDb: Pool;
  amqp: Pick<AmqpClient, 'names' | 'queueStats'>;
  /** HEARTBEAT_INTERVAL_MS */
  heartbeatIntervalMs: number;
  /** RABBITMQ_MANAGEMENT_URL */
  rabbitmqManagementUrl: string;
  /** WEBHOOK_MAX_ATTEMPTS: a timer's max_attempts when it set none */
  defaultMaxAttempts: number;
  now: () => number;
}

const LIST_LIMIT = 20;
// Every process of the last hour (older rows are pruned); a bound all the same.
const PROCESS_LIMIT = 500;
export const CACHE_MS = 1_000;
export const LATENESS_LABEL = 'webhooks sent by the running triggers';

/** The .dead queues' depths and their total: every message in one is a defect an operator must look at. */
export function deadLetters(queues: QueueDepth[]) {
  const dead = queues.filter((q) => q.name.endsWith('.dead')).map((q) => ({ name: q.name, messages: q.messages ?? 0 }));
  return { messages: dead.reduce((total, q) => total + q.messages, 0), queues: dead };
}

export function dashboardTimer(row: TimerRow, now: number, defaultMaxAttempts: number) {
  const { id, url, state, fire_at, created_at, attempts, max_attempts, last_status, last_error, attempt_history } = timerView(row, now, defaultMaxAttempts);
  return { id, url, state, fire_at, created_at, attempts, max_attempts, last_status, last_error, attempt_history };
}

export function dashboardTask(row: TaskRow) {
  const { id, type, state, attempts, max_attempts, error, created_at, started_at, finished_at } = taskView(row);
  return { id, type, state, attempts, max_attempts, error, created_at, started_at, finished_at, worker: row.worker };
}

/** The newest schedules: cadence, state, next instant and how the last run ended. */
async function recentSchedules(main: Pool) {
  const rows = await listSchedules(main, { limit: LIST_LIMIT });
  const outcomes = new Map(
    (
      await lastOutcomes(
        main,
        rows.map((row) => row.id),
      )
    ).map((o) => [o.schedule_id, o]),
  );
  return rows.map((row) => {
    const last = outcomes.get(row.id);
    return {
      id: row.id,
      name: row.name,
      cadence: row.cron ?? `every ${row.every_ms! / 1000} s`,
      timezone: row.timezone,
      state: stateOf(row),
      next_instant: row.paused || row.next_instant === null ? null : row.next_instant.toISOString(),
      last_run: last ? { state: last.state, last_status: last.last_status, instant: last.schedule_instant?.toISOString() ?? null } : null,
    };
  });
}

async function buildSummary(deps: DashboardDeps) {
  const now = deps.now();
  const timers = (state?: 'failed') => listTimers(deps.mainDb, { state, limit: LIST_LIMIT }).then((rows) => rows.map((row) => dashboardTimer(row, now, deps.defaultMaxAttempts)));
  const tasks = (state?: 'failed') => listTasks(deps.mainDb, { state, limit: LIST_LIMIT }).then((rows) => rows.map(dashboardTask));
  // Pending timers and tasks are counted whole; finished ones only among those created in the last hour.
  const finishedSince = now - FINISHED_WINDOW_MS;
  const [timerCounts, taskCounts, queues, beats, recentTimers, failedTimers, recentTasks, failedTasks, scheduleCounts, schedules] = await Promise.all([
    countTimersByState(deps.mainDb, finishedSince),
    countTasksByState(deps.mainDb, finishedSince),
    queueDepths(deps.amqp),
    heartbeats(deps.mainDb, PROCESS_LIMIT),
    timers(),
    timers('failed'),
    tasks(),
    tasks('failed'),
    countSchedules(deps.mainDb),
    recentSchedules(deps.mainDb),
  ]);
  return {
    generated_at: new Date(now).toISOString(),
    counts: { timers: timerCounts, tasks: taskCounts, finished_since: new Date(finishedSince).toISOString() },
    queues,
    dead_letters: deadLetters(queues),
    processes: { alive_after_ms: ALIVE_INTERVALS * deps.heartbeatIntervalMs, ...processSummary(beats, deps.heartbeatIntervalMs) },
    lateness: { label: LATENESS_LABEL, buckets: aliveTriggerLateness(beats, deps.heartbeatIntervalMs) },
    timers: { recent: recentTimers, failed: failedTimers },
    tasks: { recent: recentTasks, failed: failedTasks },
    schedules: { counts: scheduleCounts, recent: schedules },
    rabbitmq_management_url: deps.rabbitmqManagementUrl,
  };
}

/** Its shape is webserver/openapi/openapi-dashboard.ts's dashboardSummary (the tests check one against the other). */
export type DashboardSummary = Awaited<ReturnType<typeof buildSummary>>;

/** The summary, built at most once per CACHE_MS; a failed build is not kept (the next poll tries again). */
export function cachedSummary(deps: DashboardDeps, cacheMs = CACHE_MS): () => Promise<DashboardSummary> {
  let cached: { at: number; summary: Promise<DashboardSummary> } | null = null;
  return () => {
    const now = deps.now();
    if (cached && now - cached.at < cacheMs) return cached.summary;
    const summary = buildSummary(deps);
    const entry = { at: now, summary };
    cached = entry;
    summary.catch(() => {
      if (cached === entry) cached = null;
    });
    return summary;
  };
}
