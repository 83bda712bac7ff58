// A timers-table row for unit tests of the webserver's reads: a scheduled timer, fields overridable.
import type { TimerRow } from '../../common/store/timers.js';

export function timerRow(fields: Partial<TimerRow> & Pick<TimerRow, 'id' | 'fire_at' | 'created_at'>): TimerRow {
  return {
    url: 'https://example.com/hook',
    state: 'scheduled',
    attempts: 0,
    last_attempt_at: null,
    last_status: null,
    last_error: null,
    delivered_at: null,
    next_attempt_at: null,
    max_attempts: null,
    series: 1,
    attempt_log: [],
    method: null,
    headers: null,
    body: null,
    owner_id: null,
    schedule_id: null,
    schedule_instant: null,
    flow_key: null,
    callback_url: null,
    failure_callback_url: null,
    callback_of: null,
    callback_outcome: null,
    retention_s: null,
    expires_at: null,
    ...fields,
  };
}
