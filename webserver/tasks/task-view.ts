// How a task is shown to API clients.
import type { TaskRow } from '../../common/store/tasks.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function taskView(row: TaskRow) {
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
  };
}

export type TaskView = ReturnType<typeof taskView>;
