// What a schedule's runs are, as pure functions of its row: the cadence, the instants it runs at
// (within start_at and end_at), the id of the run for an instant, derived from the schedule, its
// generation and the instant, so that however many processes materialise a run it is created once,
// the run's timer (and its task, for a task schedule), and what a run does when it falls due (fire, or
// be skipped for overlap or catch-up) and which instant runs next.
import { createHash } from 'node:crypto';
import { derivedId, instantOf } from '../messages/timer-id.js';
import type { ScheduleRow } from '../store/schedules.js';
import type { IncomingTimer } from '../messages/timer-message.js';
import type { NewTask } from '../store/tasks.js';
import { taskTarget } from '../tasks/task-timer.js';
import { nextInstant, type Cadence } from './cadence.js';

// The namespace of run ids (RFC 9562 name-based ids): any fixed UUID, never to change.
const RUN_NAMESPACE = '6f0e4bd2-3c57-4c1f-9a3e-5d2b8f7a1c90';

/** A run more than this late counts as missed (catch_up decides whether it fires); SCHEDULE_MISSED_AFTER_MS. */
export const MISSED_AFTER_MS = 60_000;
/** catch_up 'all' fires at most this many missed runs in a row; the rest are skipped. */
export const CATCH_UP_ALL_MAX = 100;

/** What makes a schedule's cadence and its runs: the row, or settings about to be saved. */
export type ScheduleShape = Pick<
  ScheduleRow,
  | 'id'
  | 'owner_id'
  | 'cron'
  | 'every_ms'
  | 'timezone'
  | 'anchor_at'
  | 'start_at'
  | 'end_at'
  | 'jitter_ms'
  | 'generation'
  | 'url'
  | 'method'
  | 'headers'
  | 'body'
  | 'max_attempts'
  | 'timeout_ms'
  | 'retry_backoff_ms'
  | 'retry_max_backoff_ms'
  | 'task_type'
  | 'task_args'
  | 'flow_key'
  | 'callback_url'
  | 'failure_callback_url'
  | 'retention_s'
>;

export function cadenceOf(s: Pick<ScheduleRow, 'cron' | 'every_ms' | 'timezone' | 'anchor_at'>): Cadence {
  return s.cron !== null ? { kind: 'cron', cron: s.cron, timezone: s.timezone } : { kind: 'every', everyMs: s.every_ms!, anchorMs: s.anchor_at.getTime() };
}

const withinEnd = (s: Pick<ScheduleRow, 'end_at'>, instant: number | null) => (instant !== null && (s.end_at === null || instant <= s.end_at.getTime()) ? instant : null);

/** The first instant strictly after `after`, not before start_at and not after end_at; null: none. */
export function instantAfter(s: ScheduleShape, after: number): number | null {
  const from = s.start_at === null ? after : Math.max(after, s.start_at.getTime() - 1);
  return withinEnd(s, nextInstant(cadenceOf(s), from));
}

/** Up to `limit` instants after `after`, within start_at and end_at (the next instants a client is shown). */
export function instantsAfter(s: ScheduleShape, after: number, limit: number): number[] {
  const instants: number[] = [];
  for (let at = instantAfter(s, after); at !== null && instants.length < limit; at = instantAfter(s, at)) instants.push(at);
  return instants;
}

/** The id of the run for (schedule, generation, instant); it carries the instant, as its day partition does. */
export const runIdOf = (scheduleId: string, generation: number, instant: number): string => derivedId(`${scheduleId}/${generation}/${instant}`, RUN_NAMESPACE, instant);

/** The run's offset within the schedule's jitter, the same wherever it is computed. */
export function jitterOf(runId: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  return createHash('sha256').update(runId).digest().readUInt32BE(0) % (jitterMs + 1);
}

/** The latest instant of the cadence at or before `until`, starting from `first` (an instant, <= until). */
function latestDue(cadence: Cadence, first: number, until: number): number {
  if (cadence.kind === 'every') return first + Math.floor((until - first) / cadence.everyMs) * cadence.everyMs;
  let latest = first;
  for (let at = nextInstant(cadence, first); at !== null && at <= until; at = nextInstant(cadence, at)) latest = at;
  return latest;
}

/** A run as stored: its timer, and for a task schedule the task it submits. */
export interface Run {
  timer: IncomingTimer;
  task: NewTask | null;
}

/** The run of the schedule for an instant (`instant` null: a run now, outside the cadence, with a new id). */
export function runOf(s: ScheduleShape, instant: number, now: number, id = runIdOf(s.id, s.generation, instant)): Run {
  const fireAt = instant + jitterOf(id, s.jitter_ms);
  // Each run names the schedule's key; the limits were given to the key when the schedule was written.
  const flow_control = s.flow_key === null ? undefined : { key: s.flow_key };
  // Each run, and its task, is kept as long as the schedule asks.
  const retention_s = s.retention_s ?? undefined;
  const base = { id, fire_at: fireAt, created_at: now, owner_id: s.owner_id ?? undefined, schedule_id: s.id, schedule_instant: instant, flow_control, retention_s };
  if (s.task_type !== null) {
    const taskId = derivedId(`${id}/task`, RUN_NAMESPACE, instantOf(id));
    const task: NewTask = {
      id: taskId,
      type: s.task_type,
      args: s.task_args,
      max_attempts: s.max_attempts ?? 1,
      timeout_ms: s.timeout_ms ?? 30_000,
      run_at: fireAt,
      created_at: now,
      owner_id: s.owner_id,
      // A task schedule's runs tell their outcome through their task, which the worker finishes.
      callback_url: s.callback_url,
      failure_callback_url: s.failure_callback_url,
      // Its retries wait on the schedule's key as the run did.
      flow_key: s.flow_key,
      retention_s: s.retention_s,
    };
    return { timer: { ...base, url: taskTarget(taskId) }, task };
  }
  const timer: IncomingTimer = {
    ...base,
    url: s.url!,
    max_attempts: s.max_attempts ?? undefined,
    timeout_ms: s.timeout_ms ?? undefined,
    retry_backoff_ms: s.retry_backoff_ms ?? undefined,
    retry_max_backoff_ms: s.retry_max_backoff_ms ?? undefined,
    method: (s.method as IncomingTimer['method']) ?? undefined,
    headers: s.headers ?? undefined,
    body: s.body ?? undefined,
    callback_url: s.callback_url ?? undefined,
    failure_callback_url: s.failure_callback_url ?? undefined,
  };
  return { timer, task: null };
}

/** What the chain head does when it falls due, and which instant is materialised next. */
export interface Advance {
  /** null: deliver it; else why it is skipped */
  skip: string | null;
  /** the next run's instant; null: the schedule has ended */
  next: number | null;
  /** runs in a row materialised already due, after this one */
  backlogRuns: number;
}

/**
 * advanceOf(schedule, instant, now, inFlight): the head run for `instant` has been claimed at `now`.
 * overlap 'skip' skips it while another run is still being delivered or retried (`inFlight`). A run
 * more than missedAfterMs late was missed (the service was down, or far behind): catch_up 'none'
 * skips it and goes on from now; 'latest' skips it when a later instant is due already and runs that
 * latest one next (which then fires, however late, and the schedule goes on from now); 'all' fires
 * every missed run in order, up to CATCH_UP_ALL_MAX in a row, then goes on from now. A run late by
 * less than that fires, and the next instant follows it, due or not.
 */
export function advanceOf(s: ScheduleShape & Pick<ScheduleRow, 'overlap' | 'catch_up' | 'backlog_runs'>, instant: number, now: number, inFlight: boolean, missedAfterMs = MISSED_AFTER_MS): Advance {
  const following = instantAfter(s, instant);
  const fromNow = () => instantAfter(s, now);
  const missed = now - instant > missedAfterMs;
  const laterDue = following !== null && following <= now;
  let skip: string | null = inFlight && s.overlap === 'skip' ? 'skipped: the previous run was still being delivered (overlap: skip)' : null;
  let next = following;
  if (missed && s.catch_up === 'none') {
    skip ??= 'skipped: missed while the service was down or behind (catch_up: none)';
    next = fromNow();
  } else if (missed && s.catch_up === 'latest' && laterDue) {
    if (s.backlog_runs > 0) {
      // This run is the latest missed instant, materialised as such: it fires, and the schedule goes on from now.
      next = fromNow();
    } else {
      skip ??= 'skipped: missed while the service was down or behind; a later instant runs instead (catch_up: latest)';
      next = withinEnd(s, latestDue(cadenceOf(s), following, now));
    }
  } else if (s.catch_up === 'all' && laterDue && s.backlog_runs + 1 >= CATCH_UP_ALL_MAX) {
    next = fromNow();
  }
  const backlogRuns = next !== null && next <= now ? s.backlog_runs + 1 : 0;
  return { skip, next, backlogRuns };
}
