// How a schedule is shown to API clients: its settings as they were written, its state, the next
// instants it runs at (in UTC and in its zone) and, for one schedule, its last runs.
import type { ScheduleRow } from '../../common/store/schedules.js';
import type { TimerRow } from '../../common/store/timers.js';
import { localTime } from '../../common/schedules/cadence.js';
import { instantsAfter } from '../../common/schedules/runs.js';
import { requestOf } from './schedule-settings.js';

/** How many next instants a schedule shows. */
export const NEXT_INSTANTS = 5;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** paused, ended (no instant left before end_at), or active. */
export const stateOf = (row: ScheduleRow) => (row.paused ? 'paused' : row.next_instant === null ? 'ended' : 'active');

function nextInstants(row: ScheduleRow) {
  if (row.paused || row.next_instant === null) return [];
  const first = row.next_instant.getTime();
  return [first, ...instantsAfter(row, first, NEXT_INSTANTS - 1)].map((at) => ({ at: new Date(at).toISOString(), local: localTime(at, row.timezone) }));
}

function runView(run: TimerRow) {
  return {
    timer_id: run.id,
    instant: iso(run.schedule_instant),
    fire_at: run.fire_at.toISOString(),
    state: run.state,
    attempts: run.attempts,
    last_status: run.last_status,
    last_error: run.last_error,
    delivered_at: iso(run.delivered_at),
  };
}

/** scheduleView(row, lastRuns): the API's answer about a schedule (last_runs only when given). */
export function scheduleView(row: ScheduleRow, lastRuns?: TimerRow[]) {
  const written = requestOf(row);
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    every_s: row.every_ms === null ? null : row.every_ms / 1000,
    timezone: row.timezone,
    url: row.url,
    task: written.task ?? null,
    method: row.task_type === null ? (row.method ?? 'POST') : null,
    headers: row.headers ?? {},
    body: written.body ?? null,
    max_attempts: row.max_attempts,
    timeout_s: written.timeout_s ?? null,
    retry_backoff_s: written.retry_backoff_s ?? null,
    retry_max_backoff_s: written.retry_max_backoff_s ?? null,
    start_at: iso(row.start_at),
    end_at: iso(row.end_at),
    overlap: row.overlap,
    catch_up: row.catch_up,
    jitter_s: row.jitter_ms / 1000,
    paused: row.paused,
    flow_control: row.flow_key === null ? null : { key: row.flow_key },
    // Where each run's outcome is told.
    callback_url: row.callback_url,
    failure_callback_url: row.failure_callback_url,
    // How long each run is kept once finished; null: the default of its outcome.
    retention_s: row.retention_s,
    state: stateOf(row),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    next_instants: nextInstants(row),
    ...(lastRuns ? { last_runs: lastRuns.map(runView) } : {}),
  };
}
