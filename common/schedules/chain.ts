// A schedule's chain of runs: exactly one run is materialised ahead (the chain head, a timer in the
// main database and its row in a shard), and the process that fires the head materialises the next
// one before delivering it. Every step is a transaction that locks the schedule's row, so an edit, a
// pause and an advance never interleave; run ids are derived from (schedule, generation, instant), so
// a step done twice (a redelivery, a crash and a takeover) creates nothing twice. No process is
// special: any webserver creates and edits, any trigger advances.
//
// The main database commits first, the shard row follows. Should a step die in between, the head is a
// stored timer without its shard row: the next step of the same run (the redelivered message, after
// the claim expires) finds the head moved on and places it again (placeHead).
import { inTransaction, type Pool, type Queryable } from '../db/pool.js';
import { newTimerId } from '../messages/timer-id.js';
import { cancelScheduledRuns, findTimer, insertTimers, runInFlight, skipRun } from '../store/timers.js';
import { deleteTimerToFire, insertTimersToFire } from '../store/timers-to-fire.js';
import { insertTasks } from '../store/tasks.js';
import { deleteSchedule, insertSchedule, lockSchedule, saveSettings, setChainHead, type ScheduleRow, type ScheduleSettings } from '../store/schedules.js';
import { advanceOf, instantAfter, runOf, type Run } from './runs.js';

export interface ChainStores {
  main: Pool;
  shards: Pool[];
  /** a run due within this long signals its shard's pollers (POLLER_LOOKAHEAD_MS; null: no signal) */
  dueSoonMs?: number | null;
}

/** Stores runs in the main database (their tasks first), inside the caller's transaction. */
async function storeRuns(client: Queryable, runs: Run[]): Promise<void> {
  const tasks = runs.flatMap((run) => (run.task ? [run.task] : []));
  if (tasks.length > 0) await insertTasks(client, tasks);
  await insertTimers(
    client,
    runs.map((run) => run.timer),
  );
}

/** Gives stored runs their shard rows, after the commit; the pollers fire them from there. */
async function placeRuns(stores: ChainStores, runs: Run[]): Promise<void> {
  if (runs.length > 0)
    await insertTimersToFire(
      stores.shards,
      runs.map((run) => run.timer),
      stores.dueSoonMs ?? null,
    );
}

/** Materialises the run for `instant` as the chain head (null: none, the schedule is paused or ended). */
async function materialise(client: Queryable, s: ScheduleRow, instant: number | null, now: number, backlogRuns = 0): Promise<{ row: ScheduleRow; runs: Run[] }> {
  const run = instant === null ? null : runOf(s, instant, now);
  if (run) await storeRuns(client, [run]);
  const row = await setChainHead(client, s.id, { runId: run?.timer.id ?? null, instant, backlogRuns });
  return { row, runs: run ? [run] : [] };
}

/** The first head of a schedule as it is now: none while paused. */
const firstInstant = (s: ScheduleRow, now: number) => (s.paused ? null : instantAfter(s, now));

/** Removes the shard rows of runs cancelled by an edit; a row left behind is dropped when it fires. */
async function tidy(stores: ChainStores, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => deleteTimerToFire(stores.shards, id))).catch(() => undefined);
}

/**
 * createSchedule(stores, id, ownerId, settings, now): the schedule and its first run. Should the shard
 * be unreachable after the commit, the schedule is removed again and the error thrown (a 503 for the
 * client, who may simply retry).
 */
export async function createSchedule(stores: ChainStores, id: string, ownerId: string | null, settings: ScheduleSettings, now: number): Promise<ScheduleRow> {
  const { row, runs } = await inTransaction(stores.main, async (client) => {
    const inserted = await insertSchedule(client, id, ownerId, settings, new Date(now));
    return materialise(client, inserted, firstInstant(inserted, now), now);
  });
  try {
    await placeRuns(stores, runs);
  } catch (err) {
    await removeSchedule(stores, id).catch(() => undefined);
    throw err;
  }
  return row;
}

/**
 * changeSchedule(stores, id, change, now): new settings (an edit, a pause, a resume) from a function
 * of the current ones; the runs not yet fired are cancelled and the next one materialised anew under a
 * new generation. Null when there is no such schedule.
 */
export async function changeSchedule(stores: ChainStores, id: string, change: (current: ScheduleRow) => ScheduleSettings, now: number): Promise<ScheduleRow | null> {
  const changed = await inTransaction(stores.main, async (client) => {
    const current = await lockSchedule(client, id);
    if (!current) return null;
    const cancelled = await cancelScheduledRuns(client, id);
    const saved = await saveSettings(client, id, change(current), new Date(now));
    return { ...(await materialise(client, saved, firstInstant(saved, now), now)), cancelled };
  });
  if (!changed) return null;
  await placeRuns(stores, changed.runs);
  await tidy(stores, changed.cancelled);
  return changed.row;
}

/** removeSchedule(stores, id): deletes the schedule and cancels its runs not yet fired; whether it was there. */
export async function removeSchedule(stores: ChainStores, id: string): Promise<boolean> {
  const removed = await inTransaction(stores.main, async (client) => {
    if (!(await lockSchedule(client, id))) return null;
    const cancelled = await cancelScheduledRuns(client, id);
    await deleteSchedule(client, id);
    return cancelled;
  });
  if (!removed) return false;
  await tidy(stores, removed);
  return true;
}

/** runScheduleNow(stores, schedule, now): one run now, outside the cadence (its own id; the chain is untouched). */
export async function runScheduleNow(stores: ChainStores, s: ScheduleRow, now: number): Promise<Run> {
  const run = runOf({ ...s, jitter_ms: 0 }, now, now, newTimerId());
  await storeRuns(stores.main, [run]);
  await placeRuns(stores, [run]);
  return run;
}

/** A run a trigger has just claimed for its first attempt. */
export interface ClaimedRun {
  id: string;
  scheduleId: string;
  instant: number;
  attempt: number;
}

/**
 * advanceSchedule(stores, run, now): called by the trigger that claimed a schedule's run, before it
 * delivers it. When the run is the chain head, the next run is materialised (or, for overlap or
 * catch-up, this one is skipped and marked so); otherwise (a run now, a run of an earlier generation,
 * a step done before) the head is only made sure of. Says whether to deliver the run.
 */
export async function advanceSchedule(stores: ChainStores, run: ClaimedRun, now: number): Promise<{ deliver: boolean }> {
  const step = await inTransaction(stores.main, async (client) => {
    const s = await lockSchedule(client, run.scheduleId);
    if (!s) return { deliver: true, runs: [] as Run[], head: null };
    if (s.next_run_id !== run.id) return { deliver: true, runs: [] as Run[], head: s.next_run_id };
    const inFlight = s.overlap === 'skip' && (await runInFlight(client, s.id, run.id));
    const advance = advanceOf(s, run.instant, now, inFlight);
    if (advance.skip !== null) await skipRun(client, run.id, run.attempt, advance.skip);
    const { runs } = await materialise(client, s, advance.next, now, advance.backlogRuns);
    return { deliver: advance.skip === null, runs, head: null };
  });
  await placeRuns(stores, step.runs);
  if (step.head !== null) await placeHead(stores, step.head);
  return { deliver: step.deliver };
}

/** Gives the chain head its shard row again if it is still waiting (a step that died after its commit). */
async function placeHead(stores: ChainStores, headId: string): Promise<void> {
  const head = await findTimer(stores.main, headId);
  if (head?.state !== 'scheduled') return;
  await insertTimersToFire(stores.shards, [{ id: head.id, url: head.url, fire_at: head.fire_at.getTime() }], stores.dueSoonMs ?? null);
}
