// Between a schedule's request form (what a client writes, seconds and ISO instants) and its stored
// settings (milliseconds, Dates): a valid request becomes settings, and stored settings become the
// request form again, over which a PATCH is merged.
import { parseEvery } from '../../common/schedules/cadence.js';
import type { ScheduleRow, ScheduleSettings } from '../../common/store/schedules.js';
import type { CreateScheduleRequest } from './schedule-request.js';

/** What a task schedule's runs get when the schedule sets none (TASK_DEFAULT_MAX_ATTEMPTS, TASK_DEFAULT_TIMEOUT_S). */
export interface TaskDefaults {
  maxAttempts: number;
  timeoutS: number;
}

const ms = (s: number | undefined) => (s === undefined ? null : Math.round(s * 1000));
const date = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/** settingsOf(request, createdAt, taskDefaults): the settings to store; an interval counts from start_at, else from the schedule's creation. */
export function settingsOf(r: CreateScheduleRequest, createdAt: number, taskDefaults: TaskDefaults): ScheduleSettings {
  const startAt = date(r.start_at);
  const isTask = r.task !== undefined;
  return {
    name: r.name ?? null,
    cron: r.cron ?? null,
    every_ms: r.every === undefined ? null : parseEvery(r.every),
    timezone: r.timezone ?? 'UTC',
    anchor_at: startAt ?? new Date(createdAt),
    url: r.url ?? null,
    method: r.method ?? null,
    headers: r.headers ?? null,
    body: r.body === undefined ? null : JSON.stringify(r.body),
    max_attempts: r.max_attempts ?? (isTask ? taskDefaults.maxAttempts : null),
    timeout_ms: ms(r.timeout_s) ?? (isTask ? taskDefaults.timeoutS * 1000 : null),
    retry_backoff_ms: ms(r.retry_backoff_s),
    retry_max_backoff_ms: ms(r.retry_max_backoff_s),
    task_type: r.task?.type ?? null,
    task_args: r.task ? r.task.args : null,
    start_at: startAt,
    end_at: date(r.end_at),
    overlap: r.overlap ?? 'allow',
    catch_up: r.catch_up ?? 'latest',
    jitter_ms: ms(r.jitter_s) ?? 0,
    paused: r.paused ?? false,
    flow_key: r.flow_control?.key ?? null,
    callback_url: r.callback_url ?? null,
    failure_callback_url: r.failure_callback_url ?? null,
    retention_s: r.retention_s ?? null,
  };
}

const seconds = (value: number | null) => (value === null ? undefined : value / 1000);
const orUndefined = <T>(value: T | null) => (value === null ? undefined : value);

/** requestOf(row): the stored schedule in the form a client writes it. */
export function requestOf(row: ScheduleRow): Record<string, unknown> {
  return {
    name: row.name,
    cron: orUndefined(row.cron),
    every: seconds(row.every_ms),
    timezone: row.timezone,
    url: orUndefined(row.url),
    method: orUndefined(row.method),
    headers: orUndefined(row.headers),
    body: row.body === null ? undefined : (JSON.parse(row.body) as unknown),
    max_attempts: orUndefined(row.max_attempts),
    timeout_s: seconds(row.timeout_ms),
    retry_backoff_s: seconds(row.retry_backoff_ms),
    retry_max_backoff_s: seconds(row.retry_max_backoff_ms),
    task: row.task_type === null ? undefined : { type: row.task_type, args: row.task_args },
    start_at: row.start_at?.toISOString() ?? null,
    end_at: row.end_at?.toISOString() ?? null,
    overlap: row.overlap,
    catch_up: row.catch_up,
    jitter_s: row.jitter_ms / 1000,
    paused: row.paused,
    // The key only: its limits belong to the key (GET /flow-control/{key}), not to the schedule.
    flow_control: row.flow_key === null ? null : { key: row.flow_key },
    callback_url: row.callback_url,
    failure_callback_url: row.failure_callback_url,
    retention_s: row.retention_s,
  };
}

/** settingsOfRow(row): the stored settings as they are (a pause or a resume changes only `paused`). */
export function settingsOfRow(row: ScheduleRow): ScheduleSettings {
  const { id: _id, owner_id: _owner, generation: _generation, next_run_id: _head, next_instant: _instant, backlog_runs: _backlog, created_at: _created, updated_at: _updated, ...settings } = row;
  return settings;
}
