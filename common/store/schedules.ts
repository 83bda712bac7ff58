// The SQL of the main database's schedules table: a schedule's cadence and target, written by the
// webserver (create, edit, pause, resume, delete), and its chain head (the one run materialised ahead),
// moved on by whoever fires that run (common/schedules/chain.ts). Reads by id, a cursor list per owner,
// and a row locked for the length of a transaction, so that an edit and a run's advance never interleave.
import type { Pool, Queryable } from '../db/pool.js';
import { scopeParams, type OwnerScope } from './owner-scope.js';

export interface ScheduleRow {
  id: string;
  owner_id: string | null;
  name: string | null;
  cron: string | null;
  /** an interval's length; null for a cron */
  every_ms: number | null;
  timezone: string;
  /** an interval's instants are anchor_at + k * every_ms */
  anchor_at: Date;
  url: string | null;
  method: string | null;
  headers: Record<string, string> | null;
  /** the webhook body as the JSON text to send; null: the default body */
  body: string | null;
  max_attempts: number | null;
  timeout_ms: number | null;
  retry_backoff_ms: number | null;
  retry_max_backoff_ms: number | null;
  task_type: string | null;
  task_args: unknown;
  start_at: Date | null;
  end_at: Date | null;
  overlap: 'skip' | 'allow';
  catch_up: 'latest' | 'all' | 'none';
  jitter_ms: number;
  paused: boolean;
  /** the flow-control key its runs name (its owner's); null: none */
  flow_key: string | null;
  /** where each run's outcome is told; null: nowhere */
  callback_url: string | null;
  failure_callback_url: string | null;
  /** the retention_s of each run (its timer, and its task); null: the default of the run's outcome */
  retention_s: number | null;
  generation: number;
  next_run_id: string | null;
  next_instant: Date | null;
  backlog_runs: number;
  created_at: Date;
  updated_at: Date;
}

/** What a client sets: everything but the chain head and the bookkeeping. */
export type ScheduleSettings = Omit<ScheduleRow, 'id' | 'owner_id' | 'generation' | 'next_run_id' | 'next_instant' | 'backlog_runs' | 'created_at' | 'updated_at'>;

const COLUMNS = `id, owner_id, name, cron, every_ms::float8 AS every_ms, timezone, anchor_at, url, method, headers, body, max_attempts, timeout_ms,
       retry_backoff_ms, retry_max_backoff_ms, task_type, task_args, start_at, end_at, overlap, catch_up, jitter_ms, paused, flow_key,
       callback_url, failure_callback_url, retention_s, generation, next_run_id, next_instant, backlog_runs, created_at, updated_at`;

// The settings in the order the statements below bind them ($2 ... $26).
const settingValues = (s: ScheduleSettings) => [
  s.name,
  s.cron,
  s.every_ms,
  s.timezone,
  s.anchor_at,
  s.url,
  s.method,
  s.headers === null ? null : JSON.stringify(s.headers),
  s.body,
  s.max_attempts,
  s.timeout_ms,
  s.retry_backoff_ms,
  s.retry_max_backoff_ms,
  s.task_type,
  s.task_args === null || s.task_args === undefined ? null : JSON.stringify(s.task_args),
  s.start_at,
  s.end_at,
  s.overlap,
  s.catch_up,
  s.jitter_ms,
  s.paused,
  s.flow_key,
  s.callback_url,
  s.failure_callback_url,
  s.retention_s,
];

/** insertSchedule(db, id, ownerId, settings, at): a new schedule without a chain head yet; its row. */
export async function insertSchedule(db: Queryable, id: string, ownerId: string | null, settings: ScheduleSettings, at: Date): Promise<ScheduleRow> {
  const result = await db.query<ScheduleRow>(
    `INSERT INTO schedules (id, name, cron, every_ms, timezone, anchor_at, url, method, headers, body, max_attempts, timeout_ms, retry_backoff_ms,
                            retry_max_backoff_ms, task_type, task_args, start_at, end_at, overlap, catch_up, jitter_ms, paused, flow_key, callback_url,
                            failure_callback_url, retention_s, owner_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $28)
     RETURNING ${COLUMNS}`,
    [id, ...settingValues(settings), ownerId, at],
  );
  return result.rows[0]!;
}

/** findSchedule(db, id): the schedule's row, or null. */
export async function findSchedule(db: Queryable, id: string): Promise<ScheduleRow | null> {
  const result = await db.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/** lockSchedule(client, id): the row, locked until the transaction ends; null when there is none. */
export async function lockSchedule(client: Queryable, id: string): Promise<ScheduleRow | null> {
  const result = await client.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = $1 FOR UPDATE`, [id]);
  return result.rows[0] ?? null;
}

/** lockSchedules(client, ids): the rows there are, locked until the transaction ends (in id order, so two lockers never deadlock). */
export async function lockSchedules(client: Queryable, ids: string[]): Promise<ScheduleRow[]> {
  const result = await client.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  return result.rows;
}

/**
 * saveSettings(client, id, settings, at): new settings and a new generation (runs materialised from
 * now on get ids an earlier generation never had); the new row.
 */
export async function saveSettings(client: Queryable, id: string, settings: ScheduleSettings, at: Date): Promise<ScheduleRow> {
  const result = await client.query<ScheduleRow>(
    `UPDATE schedules
        SET name = $2, cron = $3, every_ms = $4, timezone = $5, anchor_at = $6, url = $7, method = $8, headers = $9::jsonb, body = $10,
            max_attempts = $11, timeout_ms = $12, retry_backoff_ms = $13, retry_max_backoff_ms = $14, task_type = $15, task_args = $16::jsonb,
            start_at = $17, end_at = $18, overlap = $19, catch_up = $20, jitter_ms = $21, paused = $22, flow_key = $23,
            callback_url = $24, failure_callback_url = $25, retention_s = $26, generation = generation + 1, updated_at = $27
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    [id, ...settingValues(settings), at],
  );
  return result.rows[0]!;
}

export interface ChainHead {
  runId: string | null;
  instant: number | null;
  backlogRuns: number;
}

/** setChainHead(client, id, head): the run materialised ahead (none: paused or ended); the new row. */
export async function setChainHead(client: Queryable, id: string, head: ChainHead): Promise<ScheduleRow> {
  const result = await client.query<ScheduleRow>(`UPDATE schedules SET next_run_id = $2, next_instant = $3, backlog_runs = $4 WHERE id = $1 RETURNING ${COLUMNS}`, [
    id,
    head.runId,
    head.instant === null ? null : new Date(head.instant),
    head.backlogRuns,
  ]);
  return result.rows[0]!;
}

/** setChainHeads(client, heads): setChainHead for many schedules in one statement. */
export async function setChainHeads(client: Queryable, heads: Array<ChainHead & { scheduleId: string }>): Promise<void> {
  await client.query(
    `UPDATE schedules AS s SET next_run_id = h.run_id, next_instant = to_timestamp(h.instant / 1000.0), backlog_runs = h.backlog
       FROM unnest($1::uuid[], $2::uuid[], $3::float8[], $4::int[]) AS h(id, run_id, instant, backlog)
      WHERE s.id = h.id`,
    [heads.map((h) => h.scheduleId), heads.map((h) => h.runId), heads.map((h) => h.instant), heads.map((h) => h.backlogRuns)],
  );
}

/** overdueHeads(db, before, limit): the chain heads (run ids) of schedules whose next instant is before `before`, the oldest first. */
export async function overdueHeads(db: Queryable, before: number, limit: number): Promise<string[]> {
  const result = await db.query<{ next_run_id: string }>('SELECT next_run_id FROM schedules WHERE next_instant < $1 AND next_run_id IS NOT NULL ORDER BY next_instant LIMIT $2', [
    new Date(before),
    limit,
  ]);
  return result.rows.map((row) => row.next_run_id);
}

/** deleteSchedule(client, id): whether there was such a schedule. */
export async function deleteSchedule(client: Queryable, id: string): Promise<boolean> {
  const result = await client.query('DELETE FROM schedules WHERE id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}

export interface ScheduleFilter {
  paused?: boolean | undefined;
  /** names starting with this text */
  name_prefix?: string | undefined;
  /** the (created_at, id) of the last row of the previous page */
  cursor?: { created_at: string; id: string } | undefined;
  limit: number;
}

/** listSchedules(db, filter, scope): newest first by (created_at, id), so pages joined by a cursor never repeat or skip a row. */
export async function listSchedules(db: Pool, filter: ScheduleFilter, scope: OwnerScope = { all: true }): Promise<ScheduleRow[]> {
  const result = await db.query<ScheduleRow>(
    `SELECT ${COLUMNS} FROM schedules
      WHERE ($1::boolean IS NULL OR paused = $1)
        AND ($2::text IS NULL OR starts_with(name, $2))
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
        AND ($6::boolean OR owner_id IS NOT DISTINCT FROM $7::uuid)
      ORDER BY created_at DESC, id DESC
      LIMIT $5`,
    [filter.paused ?? null, filter.name_prefix ?? null, filter.cursor?.created_at ?? null, filter.cursor?.id ?? null, filter.limit, ...scopeParams(scope)],
  );
  return result.rows;
}

/** countSchedules(db): schedules by whether they are paused, for the dashboard. */
export async function countSchedules(db: Pool): Promise<{ active: number; paused: number }> {
  const result = await db.query<{ paused: boolean; n: string }>('SELECT paused, count(*)::bigint AS n FROM schedules GROUP BY paused');
  const counts = { active: 0, paused: 0 };
  for (const row of result.rows) counts[row.paused ? 'paused' : 'active'] = Number(row.n);
  return counts;
}
