// The SQL of the tasks table, shared by the webserver (submit, read, list, cancel) and the worker
// (claim a run, store its outcome; or both at once for a pure task run before its claim; hold a task of a
// paused type and release it once the pause is over). Every state change is a conditional update, so a
// redelivered message for a finished or cancelled task changes nothing.
import { inTransaction, type Pool, type Queryable } from '../db/pool.js';
import { COUNT_TIMEOUT_MS, countStatesWithin } from './count-within.js';
import type { OwnerScope } from './owner-scope.js';
import { activePauseOf } from './task-type-pauses.js';
import { expiresAtSql } from './expiry.js';
import { idBound, retryOnDeadlock } from './partitions.js';

/** held: taken by a worker while its type was paused; waits here, without a message, until the pause is over. */
export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'held';
export const TASK_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'held'] as const;
export const FINAL_STATES: ReadonlySet<TaskState> = new Set(['succeeded', 'failed', 'cancelled']);

/** Where a task's outcome is told (common/webhooks/callbacks.ts); null: nowhere. */
export interface TaskCallbackUrls {
  /** told when the task succeeds or fails for good */
  result_url: string | null;
  /** told when it succeeds */
  callback_url: string | null;
  /** told when it fails for good */
  failure_callback_url: string | null;
}

export const CALLBACK_URL_FIELDS = ['result_url', 'callback_url', 'failure_callback_url'] as const;

/** Whether a task names any URL its outcome is told to. */
export const namesCallback = (urls: TaskCallbackUrls): boolean => CALLBACK_URL_FIELDS.some((field) => urls[field] !== null);

export interface TaskRow extends TaskCallbackUrls {
  id: string;
  type: string;
  args: unknown;
  state: TaskState;
  result: unknown;
  error: string | null;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  run_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  worker: string | null;
  /** the user whose token submitted it; null: ownerless */
  owner_id: string | null;
  /** its runs from the start: 1, then one more per retry (retryTask) */
  series: number;
  /** the flow-control key its starts wait on, retries included (its owner's); null: none */
  flow_key: string | null;
  /** its own retention once finished, in seconds; null: the default of its outcome */
  retention_s: number | null;
  /** when retention may remove it: null while it has not finished */
  expires_at: Date | null;
}

export interface NewTask {
  id: string;
  type: string;
  args: unknown;
  max_attempts: number;
  timeout_ms: number;
  run_at: number;
  created_at: number;
  owner_id?: string | null;
  result_url?: string | null;
  callback_url?: string | null;
  failure_callback_url?: string | null;
  flow_key?: string | null;
  retention_s?: number | null;
}

const COLUMNS =
  'id, type, args, state, result, error, attempts, max_attempts, timeout_ms, run_at, created_at, started_at, finished_at, worker, owner_id, result_url, callback_url, failure_callback_url, series, flow_key, retention_s, expires_at';

// Instants go to PostgreSQL as ISO strings: exact to the millisecond, where to_timestamp(ms / 1000.0)
// can land a microsecond off through floating point.
const iso = (ms: number) => new Date(ms).toISOString();

/** insertTasks(db, tasks): one multi-row insert (the webserver batches concurrent submissions); a task already there is left as it is. */
export async function insertTasks(db: Queryable, tasks: NewTask[]): Promise<void> {
  await db.query(
    `INSERT INTO tasks (id, type, args, max_attempts, timeout_ms, run_at, created_at, owner_id, result_url, callback_url, failure_callback_url, flow_key, retention_s)
     SELECT id, type, args::jsonb, max_attempts, timeout_ms, run_at, created_at, owner_id, result_url, callback_url, failure_callback_url, flow_key, retention_s
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::uuid[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[])
         AS t(id, type, args, max_attempts, timeout_ms, run_at, created_at, owner_id, result_url, callback_url, failure_callback_url, flow_key, retention_s)
     ON CONFLICT (id) DO NOTHING`,
    [
      tasks.map((t) => t.id),
      tasks.map((t) => t.type),
      tasks.map((t) => JSON.stringify(t.args)),
      tasks.map((t) => t.max_attempts),
      tasks.map((t) => t.timeout_ms),
      tasks.map((t) => iso(t.run_at)),
      tasks.map((t) => iso(t.created_at)),
      tasks.map((t) => t.owner_id ?? null),
      ...CALLBACK_URL_FIELDS.map((field) => tasks.map((t) => t[field] ?? null)),
      tasks.map((t) => t.flow_key ?? null),
      tasks.map((t) => t.retention_s ?? null),
    ],
  );
}

export const insertTask = (db: Pool, task: NewTask): Promise<void> => insertTasks(db, [task]);

/** Removes a task whose message the broker refused: the submitter got a 503, so it never existed. */
export async function deleteQueuedTask(db: Pool, id: string): Promise<void> {
  await db.query(`DELETE FROM tasks WHERE id = $1 AND state = 'queued' AND attempts = 0`, [id]);
}

export async function findTask(db: Pool, id: string): Promise<TaskRow | null> {
  const result = await db.query<TaskRow>(`SELECT ${COLUMNS} FROM tasks WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

export type CancelResult = { kind: 'cancelled'; task: TaskRow } | { kind: 'too_late'; task: TaskRow } | { kind: 'not_found' };

/** Cancels a task that has not started (queued, or held for its paused type); a running or finished one is left as it is. */
export async function cancelTask(db: Pool, id: string): Promise<CancelResult> {
  const updated = await db.query<TaskRow>(
    `UPDATE tasks SET state = 'cancelled', finished_at = now(), expires_at = ${expiresAtSql(`'cancelled'`, 'now()', 'retention_s')} WHERE id = $1 AND state IN ('queued', 'held') RETURNING ${COLUMNS}`,
    [id],
  );
  if (updated.rows[0]) return { kind: 'cancelled', task: updated.rows[0] };
  const task = await findTask(db, id);
  return task ? { kind: 'too_late', task } : { kind: 'not_found' };
}

export interface TaskFilter {
  type?: string;
  state?: TaskState;
  created_after?: number;
  created_before?: number;
  /** the last id of the previous page: tasks are listed newest first (ids are UUIDv7) */
  cursor?: string;
  limit: number;
  /** what the viewer may see: all tasks, or those of one owner (null: the ownerless ones); default all */
  scope?: OwnerScope;
}

export async function listTasks(db: Pool, f: TaskFilter): Promise<TaskRow[]> {
  const result = await db.query<TaskRow>(
    `SELECT ${COLUMNS} FROM tasks
      WHERE ($1::text IS NULL OR type = $1)
        AND ($2::text IS NULL OR state = $2)
        AND ($3::float8 IS NULL OR created_at >= to_timestamp($3 / 1000.0))
        AND ($4::float8 IS NULL OR created_at < to_timestamp($4 / 1000.0))
        AND ($5::uuid IS NULL OR id < $5)
        AND ($7::boolean OR owner_id IS NOT DISTINCT FROM $8::uuid)
      ORDER BY id DESC
      LIMIT $6`,
    [f.type ?? null, f.state ?? null, f.created_after ?? null, f.created_before ?? null, f.cursor ?? null, f.limit, f.scope?.all ?? true, f.scope?.all === false ? f.scope.owner : null],
  );
  return result.rows;
}

export type StartResult =
  | { kind: 'run'; task: TaskRow }
  /** the start would exceed max_attempts: earlier deliveries ended their worker; now failed */
  | { kind: 'exhausted'; task: TaskRow }
  /** finished, cancelled or unknown: a duplicate or stale message to drop */
  | { kind: 'skip' };

// Starts and finishes find their tasks through the primary key. Their state guards are written
// `state || ''` so that the planner cannot take the state index instead: with few tasks queued or running
// in its statistics (stale while a batch of submissions waits), it would read every task in that
// state for each batch. A finish joined to its outcomes also names the ids as a list (t.id = ANY), so that the
// planner reads only the day partitions they were issued on.
export const START_TASKS_SQL = `UPDATE tasks
        SET attempts = attempts + 1,
            state = CASE WHEN attempts + 1 > max_attempts THEN 'failed' ELSE 'running' END,
            error = CASE WHEN attempts + 1 > max_attempts
                         THEN 'gave up: ' || attempts || ' deliveries did not finish (the task ended or lost its worker each time)'
                         ELSE error END,
            finished_at = CASE WHEN attempts + 1 > max_attempts THEN now() END,
            expires_at = ${expiresAtSql(`CASE WHEN attempts + 1 > max_attempts THEN 'failed' END`, 'now()', 'retention_s')},
            started_at = now(),
            worker = $2
      WHERE id = ANY($1::uuid[]) AND state || '' IN ('queued', 'running', 'held')
        AND CASE WHEN state = 'held' THEN NOT ${activePauseOf('tasks.type')} ELSE true END
  RETURNING ${COLUMNS}`;

/**
 * startTasks(db, ids, worker): claims runs, one result per id in order (a batch of deliveries). Queued
 * (or running, when the worker that ran it died; or held, when its type is no longer paused: the message
 * of a release, see releaseHeldTasks) becomes running, attempts counts the delivery. A
 * delivery past max_attempts marks the task failed instead: it keeps crashing workers. The same id
 * twice in one batch: only its first delivery runs.
 */
export async function startTasks(db: Pool, ids: string[], worker: string): Promise<StartResult[]> {
  const result = await db.query<TaskRow>(START_TASKS_SQL, [ids, worker]);
  const byId = new Map(result.rows.map((task) => [task.id, task]));
  return ids.map((id): StartResult => {
    const task = byId.get(id);
    byId.delete(id);
    if (!task) return { kind: 'skip' };
    return task.state === 'failed' ? { kind: 'exhausted', task } : { kind: 'run', task };
  });
}

export type Finish = { id: string; attempt: number } & ({ state: 'succeeded'; result: unknown } | { state: 'failed'; error: string });

export const FINISH_TASKS_SQL = `UPDATE tasks AS t SET state = o.state, result = o.result::jsonb, error = o.error, finished_at = now(),
            expires_at = ${expiresAtSql('o.state', 'now()', 't.retention_s')}
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[]) AS o(id, attempt, state, result, error)
      WHERE t.id = ANY($1::uuid[]) AND t.id = o.id AND t.attempts = o.attempt AND t.state || '' = 'running'
  RETURNING ${COLUMNS.split(', ')
    .map((column) => `t.${column}`)
    .join(', ')}`;

export const finishTasksParams = (finishes: Finish[]): unknown[] => [
  finishes.map((f) => f.id),
  finishes.map((f) => f.attempt),
  finishes.map((f) => f.state),
  finishes.map((f) => (f.state === 'succeeded' ? JSON.stringify(f.result) : null)),
  finishes.map((f) => (f.state === 'failed' ? f.error : null)),
];

/**
 * finishTasks(db, finishes): ends each attempt as succeeded or failed, unless it is no longer the current
 * one; one result per finish in order: the finished task as committed, or null when nothing changed.
 */
export async function finishTasks(db: Pool, finishes: Finish[]): Promise<Array<TaskRow | null>> {
  const result = await db.query<TaskRow>(FINISH_TASKS_SQL, finishTasksParams(finishes));
  const byId = new Map(result.rows.map((task) => [task.id, task]));
  return finishes.map((finish) => {
    const task = byId.get(finish.id);
    byId.delete(finish.id);
    return task ?? null;
  });
}

/** The outcome of a pure task's first run, done before its claim (common/tasks/task-contract.ts). */
export type FinishedRun = { id: string } & ({ state: 'succeeded'; result: unknown } | { state: 'failed'; error: string });

// Claim and outcome of a run in one update: only a task still queued and never started (a cancelled,
// running or finished one matches nothing, and the worker then takes the usual way, claim first).
export const FINISH_UNCLAIMED_SQL = `UPDATE tasks AS t
        SET attempts = 1, state = o.state, result = o.result::jsonb, error = o.error,
            started_at = now(), finished_at = now(), worker = $5, expires_at = ${expiresAtSql('o.state', 'now()', 't.retention_s')}
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS o(id, state, result, error)
      WHERE t.id = ANY($1::uuid[]) AND t.id = o.id AND t.attempts = 0 AND t.state || '' = 'queued'
  RETURNING ${COLUMNS.split(', ')
    .map((column) => `t.${column}`)
    .join(', ')}`;

/**
 * finishUnclaimed(db, runs, worker): stores the first run of tasks run before their claim, counted as
 * attempt 1; one result per run in order: the finished task as committed, or null when the task was not
 * queued and unstarted (nothing changed).
 */
export async function finishUnclaimed(db: Pool, runs: FinishedRun[], worker: string): Promise<Array<TaskRow | null>> {
  const result = await db.query<TaskRow>(FINISH_UNCLAIMED_SQL, [
    runs.map((r) => r.id),
    runs.map((r) => r.state),
    runs.map((r) => (r.state === 'succeeded' ? JSON.stringify(r.result) : null)),
    runs.map((r) => (r.state === 'failed' ? r.error : null)),
    worker,
  ]);
  const byId = new Map(result.rows.map((task) => [task.id, task]));
  return runs.map((run) => {
    const task = byId.get(run.id);
    byId.delete(run.id);
    return task ?? null;
  });
}

export const FINISHED_WITH_CALLBACKS_SQL = `SELECT ${COLUMNS} FROM tasks
      WHERE id = ANY($1::uuid[]) AND state || '' IN ('succeeded', 'failed')
        AND (result_url IS NOT NULL OR callback_url IS NOT NULL OR failure_callback_url IS NOT NULL)`;

/**
 * finishedWithCallbacks(db, ids): of the tasks, those finished (succeeded, or failed for good) that name a
 * URL their outcome is told to, one result per id in order (null: not such a task). A redelivered message
 * of a finished task tells its outcome again from these rows (worker/handle-task.ts). Found through the
 * primary key, the state guard written as START_TASKS_SQL's is.
 */
export async function finishedWithCallbacks(db: Pool, ids: string[]): Promise<Array<TaskRow | null>> {
  const result = await db.query<TaskRow>(FINISHED_WITH_CALLBACKS_SQL, [ids]);
  const byId = new Map(result.rows.map((task) => [task.id, task]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Puts a failed attempt back in the queue until its retry time (the retry timer is already published). */
export async function requeueTask(db: Pool, id: string, attempt: number, error: string, runAt: number): Promise<void> {
  await db.query(
    `UPDATE tasks SET state = 'queued', error = $3, run_at = $4::timestamptz
      WHERE id = $1 AND attempts = $2 AND state = 'running'`,
    [id, attempt, error, iso(runAt)],
  );
}

// The holds and releases of tasks of a paused type: tasks/holds.ts.
export * from './tasks/holds.js';

export type RetryResult = { kind: 'retried'; task: TaskRow } | { kind: 'not_failed'; task: TaskRow } | { kind: 'not_found' };

/** What a retry replaced, put back should its publish be refused. */
interface FailedRun {
  series: number;
  attempts: number;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  worker: string | null;
  run_at: Date;
}

/**
 * retryTask(db, id, publish): a failed task starts over: attempts 0, no error or run instants, its series
 * one more (the outcome of the new run makes callbacks of its own, common/webhooks/callbacks.ts). It first
 * turns 'held' (committed), then is released as a held task is (`publish` inside the transaction that
 * turns it 'queued'); a refused publish puts the failed run back and throws. Should the process end in
 * between, a held task of a type not paused is released by the workers' next look. Any other state:
 * not_failed, nothing changed. The task as its release left it (queued), or as it is when a worker released it first.
 */
export async function retryTask(db: Pool, id: string, publish: () => Promise<void>): Promise<RetryResult> {
  const { rows } = await retryOnDeadlock(() =>
    db.query<FailedRun>(
      `WITH before AS (SELECT id, series, attempts, error, started_at, finished_at, worker, run_at FROM tasks WHERE id = $1 FOR UPDATE)
     UPDATE tasks AS t SET state = 'held', series = t.series + 1, attempts = 0, result = NULL, error = NULL, started_at = NULL, finished_at = NULL, worker = NULL, run_at = now(), expires_at = NULL
       FROM before
      WHERE t.id = before.id AND t.state = 'failed'
  RETURNING before.series, before.attempts, before.error, before.started_at, before.finished_at, before.worker, before.run_at`,
      [id],
    ),
  );
  const failed = rows[0];
  if (!failed) {
    const task = await findTask(db, id);
    return task ? { kind: 'not_failed', task } : { kind: 'not_found' };
  }
  let queued: TaskRow | undefined;
  try {
    queued = await inTransaction(db, async (client) => {
      const held = await client.query(`SELECT 1 FROM tasks WHERE id = $1 AND state = 'held' FOR UPDATE`, [id]);
      // Gone already: a worker's look released it first.
      if (held.rowCount === 0) return undefined;
      await publish();
      return (await client.query<TaskRow>(`UPDATE tasks SET state = 'queued' WHERE id = $1 RETURNING ${COLUMNS}`, [id])).rows[0];
    });
  } catch (err) {
    await db.query(
      `UPDATE tasks SET state = 'failed', attempts = $2, error = $3, started_at = $4, finished_at = $5, worker = $6, run_at = $7, series = $8,
            expires_at = ${expiresAtSql(`'failed'`, '$5::timestamptz', 'retention_s')}
        WHERE id = $1 AND state = 'held'`,
      [id, failed.attempts, failed.error, failed.started_at, failed.finished_at, failed.worker, failed.run_at, failed.series],
    );
    throw err;
  }
  return { kind: 'retried', task: queued ?? (await findTask(db, id))! };
}

const PENDING_TASK_STATES = TASK_STATES.filter((state) => !FINAL_STATES.has(state));

// Both halves are ranges of tasks_state_id (state, id DESC): every pending task, and the finished ones
// whose id was issued since $3 (UUIDv7: pruning the day partitions before it), created since $4 (the ids
// of a schedule's runs are derived, not issued: created_at decides for those).
export const COUNT_TASKS_BY_STATE_SQL = `SELECT state, count(*)::bigint AS n FROM tasks WHERE state = ANY($1::text[]) GROUP BY state
     UNION ALL
     SELECT state, count(*)::bigint AS n FROM tasks WHERE state = ANY($2::text[]) AND id >= $3::uuid AND created_at >= $4 GROUP BY state`;

export const countTasksByStateParams = (finishedSinceMs: number): unknown[] => [PENDING_TASK_STATES, [...FINAL_STATES], idBound(finishedSinceMs), new Date(finishedSinceMs)];

/**
 * countByState(db, finishedSinceMs, timeoutMs): tasks per state (0 for a state with none): every pending
 * one, and of the finished states those created since finishedSinceMs; or null when the count runs past
 * timeoutMs (common/store/count-within.ts). For the dashboard and the scrape-time gauge.
 */
export function countByState(db: Pool, finishedSinceMs: number, timeoutMs = COUNT_TIMEOUT_MS): Promise<Record<TaskState, number> | null> {
  return countStatesWithin(db, COUNT_TASKS_BY_STATE_SQL, countTasksByStateParams(finishedSinceMs), TASK_STATES, timeoutMs) as Promise<Record<TaskState, number> | null>;
}
