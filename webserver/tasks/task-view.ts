// How a task is shown to API clients.
import type { TaskRow } from '../../common/store/tasks.js';
import type { TimerRow } from '../../common/store/timers.js';
import { callbackView } from '../timers/timer-view.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** taskView(row, callbacks): the API's answer about a task; `callbacks` (those telling its outcomes) shown when given (GET /tasks/{id}). */
export function taskView(row: TaskRow, callbacks?: TimerRow[]) {
  return {
    id: row.id,
    type: row.type,
    args: row.args,
    state: row.state,
    result: row.result ?? null,
    error: row.error,
    attempts: row.attempts,
    max_attempts: row.max_attempts,
    timeout_s: row.timeout_ms / 1000,
    run_at: row.run_at.toISOString(),
    created_at: row.created_at.toISOString(),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    // The flow-control key its starts wait on, retries included (its owner's).
    flow_control: row.flow_key === null ? null : { key: row.flow_key },
    // Where its outcome is told, and the callbacks that told it.
    result_url: row.result_url,
    callback_url: row.callback_url,
    failure_callback_url: row.failure_callback_url,
    // How long it is kept once finished (null: its outcome's default), and from when it may be removed (null until it finishes).
    retention_s: row.retention_s,
    expires_at: iso(row.expires_at),
    ...(callbacks ? { callbacks: callbacks.map(callbackView) } : {}),
  };
}

export type TaskView = ReturnType<typeof taskView>;
