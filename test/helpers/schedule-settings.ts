// A schedule's settings for tests: every 10 s to a loopback URL from `anchorMs`, nothing else set;
// fields overridable.
import type { ScheduleSettings } from '../../common/store/schedules.js';

export function scheduleSettings(anchorMs: number, fields: Partial<ScheduleSettings> = {}): ScheduleSettings {
  return {
    name: null,
    cron: null,
    every_ms: 10_000,
    timezone: 'UTC',
    anchor_at: new Date(anchorMs),
    url: 'http://127.0.0.1:9/hook',
    method: null,
    headers: null,
    body: null,
    max_attempts: null,
    timeout_ms: null,
    retry_backoff_ms: null,
    retry_max_backoff_ms: null,
    task_type: null,
    task_args: null,
    start_at: null,
    end_at: null,
    overlap: 'allow',
    catch_up: 'latest',
    jitter_ms: 0,
    paused: false,
    flow_key: null,
    callback_url: null,
    failure_callback_url: null,
    retention_s: null,
    ...fields,
  };
}
