// How a timer is shown to API clients: the plain {id, time_left}, and the rest of its record.
import type { TimerRow } from '../../common/store/timers.js';
import { timeLeftSeconds } from '../../common/messages/time.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

const defaultBody = (row: TimerRow) => (row.schedule_id === null ? { id: row.id } : { id: row.id, schedule_id: row.schedule_id, instant: iso(row.schedule_instant) });

/** Where a timer's delivery stands: its state, attempts and their last outcome. */
const deliveryRecord = (row: TimerRow) => ({
  state: row.state,
  attempts: row.attempts,
  last_attempt_at: iso(row.last_attempt_at),
  last_status: row.last_status,
  last_error: row.last_error,
  delivered_at: iso(row.delivered_at),
  next_attempt_at: iso(row.next_attempt_at),
});

/** How a callback is shown with the timer (or task) whose outcome it tells: its own delivery's record. */
export function callbackView(row: TimerRow) {
  return { id: row.id, outcome: row.callback_outcome, url: row.url, ...deliveryRecord(row), attempt_history: row.attempt_log };
}

/**
 * timerView(row, now, defaultMaxAttempts, callbacks): the API's answer about a timer; history oldest
 * first. `callbacks` (the callbacks telling its outcomes) is shown when given (GET /timer/{id}).
 */
export function timerView(row: TimerRow, now: number, defaultMaxAttempts: number, callbacks?: TimerRow[]) {
  return {
    id: row.id,
    time_left: timeLeftSeconds(row.fire_at.getTime(), now),
    url: row.url,
    fire_at: row.fire_at.toISOString(),
    created_at: row.created_at.toISOString(),
    ...deliveryRecord(row),
    max_attempts: row.max_attempts ?? defaultMaxAttempts,
    replays: row.series - 1,
    attempt_history: row.attempt_log,
    // The webhook this timer sends (the plain POST {"id"} unless it was shaped).
    method: row.method ?? 'POST',
    headers: row.headers ?? {},
    body: row.body === null ? defaultBody(row) : (JSON.parse(row.body) as unknown),
    // A schedule's run: which schedule, and the instant it runs for.
    schedule_id: row.schedule_id,
    schedule_instant: iso(row.schedule_instant),
    // The flow-control key its deliveries share (its owner's).
    flow_control: row.flow_key === null ? null : { key: row.flow_key },
    // Where its outcome is told, and, for a callback, whose outcome it tells.
    callback_url: row.callback_url,
    failure_callback_url: row.failure_callback_url,
    callback_of: row.callback_of === null ? null : { id: row.callback_of, outcome: row.callback_outcome },
    // How long it is kept once finished (null: its outcome's default), and from when it may be removed (null while pending).
    retention_s: row.retention_s,
    expires_at: iso(row.expires_at),
    ...(callbacks ? { callbacks: callbacks.map(callbackView) } : {}),
  };
}
