// Writes of the tasks table for paused task types: a task delivered while its type is paused is held
// instead of started, and released in submission order once the pause is over.
import { inTransaction, type Pool } from '../../db/pool.js';
import { activePauseOf } from '../task-type-pauses.js';

/**
 * holdTasks(db, ids, types): of the delivered tasks, those of the given types (a worker's cached pauses)
 * whose type is paused now (the pauses table decides: a cache that still lists a resumed type holds
 * nothing) turn 'held' instead of starting; their attempts stay as they were. The held ids.
 */
export async function holdTasks(db: Pool, ids: string[], types: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE tasks SET state = 'held'
      WHERE id = ANY($1::uuid[]) AND state || '' IN ('queued', 'running') AND type = ANY($2::text[]) AND ${activePauseOf('tasks.type')}
  RETURNING id`,
    [ids, types],
  );
  return rows.map((row) => row.id);
}

// One releaser at a time (any number of workers and webservers try): the held tasks go out in
// submission order, batch after batch, instead of interleaved by two releasers.
const RELEASE_LOCK = 'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked';

/**
 * releaseHeldTasks(db, publish, options): takes held tasks whose type is no longer paused (only `type`'s
 * when given), oldest first, up to `limit`, and hands their ids in that order to `publish`; once it
 * resolved (the broker confirmed every message), they turn 'queued'. All in one transaction holding the
 * rows (FOR UPDATE SKIP LOCKED), so two releasers never take the same task. A worker's claim takes a held
 * task whose type is not paused (START_TASKS_SQL): one that meets a row still locked here waits for the
 * commit and claims it queued (a claim that skipped a row it saw held would lose the message); after a
 * refused publish the tasks stay held, and a message that went out anyway runs its task.
 * The released ids; [] when there were none or another releaser is at work.
 */
export async function releaseHeldTasks(db: Pool, publish: (ids: string[]) => Promise<void>, options: { type?: string; limit: number }): Promise<string[]> {
  return inTransaction(db, async (client) => {
    const lock = await client.query<{ locked: boolean }>(RELEASE_LOCK, ['tasks: release held']);
    if (!lock.rows[0]!.locked) return [];
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM tasks t
        WHERE state = 'held' AND ($1::text IS NULL OR type = $1) AND NOT ${activePauseOf('t.type')}
        ORDER BY created_at, id
        LIMIT $2
          FOR UPDATE SKIP LOCKED`,
      [options.type ?? null, options.limit],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    await publish(ids);
    await client.query(`UPDATE tasks SET state = 'queued', run_at = now() WHERE id = ANY($1::uuid[]) AND state = 'held'`, [ids]);
    return ids;
  });
}
