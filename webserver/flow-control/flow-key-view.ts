// How a flow-control key, the deliveries pause and a paused host are shown to API clients: limits,
// whether it is paused now and until when (null also for "until resumed"), deliveries in flight and
// timers waiting.
import type { FlowKeyRow } from '../../common/store/flow-keys.js';

type Pause = Pick<FlowKeyRow, 'paused_until' | 'pause_reason'>;

/** paused now, its end (null: until resumed, or not paused) and why; a pause that has ended is none. */
export function pauseView(row: Pause | null, now: number) {
  const until = row?.paused_until ?? null;
  const paused = until !== null && until > now;
  return {
    paused,
    // Rounded: the epoch milliseconds PostgreSQL computes are a float, 0.999... of a millisecond is one.
    paused_until: paused && Number.isFinite(until) ? new Date(Math.round(until)).toISOString() : null,
    pause_reason: paused ? (row?.pause_reason ?? null) : null,
  };
}

/** flowKeyView(row, inFlight, now): the API's answer about a key. */
export function flowKeyView(row: FlowKeyRow, inFlight: number, now: number) {
  return {
    key: row.key,
    owner_id: row.owner_id,
    rate: row.rate,
    period_s: row.period_s,
    parallelism: row.parallelism,
    ...pauseView(row, now),
    in_flight: inFlight,
    waiting: row.held,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** A callback host paused by its receiver's Retry-After. */
export function pausedHostView(row: FlowKeyRow, now: number) {
  const { paused_until, pause_reason } = pauseView(row, now);
  return { host: row.key, paused_until, pause_reason, waiting: row.held };
}
