// The SQL of task_type_pauses: one row per paused task type (until: when the pause ends by itself; null:
// when resumed). Operators pause and resume through the webserver; workers read the active pauses about
// once a second (worker/paused-types.ts) and the tasks table's hold and release statements ask whether a
// type is paused through ACTIVE_PAUSE below. A pause whose until has passed is over, whether or not its
// row is still there; pausing again overwrites it. Instants come from the database's clock.
import type { Queryable } from '../db/pool.js';

export interface TaskTypePause {
  type: string;
  paused_at: Date;
  /** when the pause ends by itself; null: until resumed */
  until: Date | null;
}

/** `EXISTS (...)`: the type named by the column `typeColumn` (a constant of the caller's SQL) is paused now. */
export const activePauseOf = (typeColumn: string): string => `EXISTS (SELECT 1 FROM task_type_pauses p WHERE p.type = ${typeColumn} AND (p.until IS NULL OR p.until > now()))`;

/** pauseTaskType(db, type, until): pauses the type (until null: until resumed), or moves the end of its pause; the pause as stored. */
export async function pauseTaskType(db: Queryable, type: string, until: number | null): Promise<TaskTypePause> {
  const { rows } = await db.query<TaskTypePause>(
    `INSERT INTO task_type_pauses (type, paused_at, until) VALUES ($1, now(), $2::timestamptz)
     ON CONFLICT (type) DO UPDATE
        SET until = EXCLUDED.until,
            paused_at = CASE WHEN task_type_pauses.until IS NULL OR task_type_pauses.until > now() THEN task_type_pauses.paused_at ELSE EXCLUDED.paused_at END
     RETURNING type, paused_at, until`,
    [type, until === null ? null : new Date(until).toISOString()],
  );
  return rows[0]!;
}

/** resumeTaskType(db, type): ends the type's pause; true when it was paused. */
export async function resumeTaskType(db: Queryable, type: string): Promise<boolean> {
  const { rows } = await db.query<{ active: boolean }>(`DELETE FROM task_type_pauses WHERE type = $1 RETURNING (until IS NULL OR until > now()) AS active`, [type]);
  return rows[0]?.active ?? false;
}

/** activePauses(db): the pauses in force now (a pause whose until has passed is over). */
export async function activePauses(db: Queryable): Promise<TaskTypePause[]> {
  const { rows } = await db.query<TaskTypePause>(`SELECT type, paused_at, until FROM task_type_pauses WHERE until IS NULL OR until > now() ORDER BY type`);
  return rows;
}
