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
import { cancelScheduledRuns, insertTimers, schedulesWithRunsInFlight, skipRuns, waitingAmong, type SkippedRun } from '../store/timers.js';
import { deleteTimerToFire, insertTimersToFire } from '../store/timers-to-fire.js';
import { insertTasks } from '../store/tasks.js';
import {
  deleteSchedule,
  insertSchedule,
  lockSchedule,
  lockSchedules,
  overdueHeads,
  saveSettings,
  setChainHead,
  setChainHeads,
  type ChainHead,
  type ScheduleRow,
  type ScheduleSettings,
} from '../store/schedules.js';
import { advanceOf, instantAfter, MISSED_AFTER_MS, runOf, type Run } from './runs.js';
import { nameFlowKeys } from '../store/flow-keys.js';
import type { FlowControl } from '../messages/flow-control.js';

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

/** The key a schedule's request names, with the limits it gives, set on the key in the schedule's own transaction. */
async function nameKey(client: Queryable, ownerId: string | null, flow: FlowControl | null, now: number): Promise<void> {
  if (flow) await nameFlowKeys(client, [{ ownerId, ...flow }], now);
}

/** The first head of a schedule as it is now: none while paused. */
const firstInstant = (s: ScheduleRow, now: number) => (s.paused ? null : instantAfter(s, now));

/** Removes the shard rows of runs cancelled by an edit; a row left behind is dropped when it fires. */
async function tidy(stores: ChainStores, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => deleteTimerToFire(stores.shards, id))).catch(() => undefined);
}

/**
 * createSchedule(stores, id, ownerId, settings, now, flow): the schedule and its first run, and the
 * flow-control key its runs name with the limits the request gives (flow; null: none given). Should
 * the shard be unreachable after the commit, the schedule is removed again and the error thrown (a 503
 * for the client, who may simply retry).
 */
export async function createSchedule(stores: ChainStores, id: string, ownerId: string | null, settings: ScheduleSettings, now: number, flow: FlowControl | null = null): Promise<ScheduleRow> {
  const { row, runs } = await inTransaction(stores.main, async (client) => {
    await nameKey(client, ownerId, flow, now);
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
 * changeSchedule(stores, id, change, now, flow): new settings (an edit, a pause, a resume) from a
 * function of the current ones; the runs not yet fired are cancelled and the next one materialised anew
 * under a new generation; an edit's flow-control key gets the limits it gives (flow; null: none given).
 * Null when there is no such schedule.
 */
export async function changeSchedule(stores: ChainStores, id: string, change: (current: ScheduleRow) => ScheduleSettings, now: number, flow: FlowControl | null = null): Promise<ScheduleRow | null> {
  const changed = await inTransaction(stores.main, async (client) => {
    const current = await lockSchedule(client, id);
    if (!current) return null;
    await nameKey(client, current.owner_id, flow, now);
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

/** A run a trigger has just claimed. */
export interface ClaimedRun {
  id: string;
  scheduleId: string;
  instant: number;
  attempt: number;
}

/**
 * advanceSchedules(stores, runs, now): called by the trigger that claimed schedules' runs, before it
 * delivers them; one transaction for the whole batch (the schedules locked in id order). For a run
 * that is its schedule's chain head, the next run is materialised (or, for overlap or catch-up, this
 * one is skipped and marked so); for any other run (a run now, a run of an earlier generation, a step
 * done before) the head is only made sure of. A run later than missedAfterMs was missed (catch_up).
 * Says, per run and in order, whether to deliver it.
 */
export async function advanceSchedules(stores: ChainStores, runs: ClaimedRun[], now: number, missedAfterMs = MISSED_AFTER_MS): Promise<Array<{ deliver: boolean }>> {
  const step = await inTransaction(stores.main, async (client) => {
    const schedules = new Map((await lockSchedules(client, [...new Set(runs.map((run) => run.scheduleId))])).map((s) => [s.id, s]));
    // A run given twice in one batch (a redelivery) advances its schedule once.
    const advanced = new Set<string>();
    const heads = runs.filter((run) => {
      if (advanced.has(run.scheduleId) || schedules.get(run.scheduleId)?.next_run_id !== run.id) return false;
      advanced.add(run.scheduleId);
      return true;
    });
    const skipping = heads.filter((run) => schedules.get(run.scheduleId)!.overlap === 'skip');
    const inFlight =
      skipping.length === 0
        ? new Set<string>()
        : await schedulesWithRunsInFlight(
            client,
            skipping.map((run) => run.scheduleId),
            runs.map((run) => run.id),
          );
    const skipped: SkippedRun[] = [];
    const next: Run[] = [];
    const moves: Array<ChainHead & { scheduleId: string }> = [];
    for (const run of heads) {
      const s = schedules.get(run.scheduleId)!;
      const advance = advanceOf(s, run.instant, now, inFlight.has(s.id), missedAfterMs);
      if (advance.skip !== null) skipped.push({ id: run.id, attempt: run.attempt, reason: advance.skip });
      const following = advance.next === null ? null : runOf(s, advance.next, now);
      if (following) next.push(following);
      moves.push({ scheduleId: s.id, runId: following?.timer.id ?? null, instant: advance.next, backlogRuns: advance.backlogRuns });
    }
    if (skipped.length > 0) await skipRuns(client, skipped);
    if (next.length > 0) await storeRuns(client, next);
    if (moves.length > 0) await setChainHeads(client, moves);
    // Heads that some other step materialised: made sure of below.
    const others = runs
      .filter((run) => !heads.includes(run))
      .map((run) => schedules.get(run.scheduleId)?.next_run_id)
      .filter((id): id is string => typeof id === 'string');
    return { skipped: new Set(skipped.map((run) => run.id)), next, others };
  });
  await placeRuns(stores, step.next);
  if (step.others.length > 0) await placeHeads(stores, [...new Set(step.others)]);
  return runs.map((run) => ({ deliver: !step.skipped.has(run.id) }));
}

/** advanceSchedule(stores, run, now): advanceSchedules for one run. */
export async function advanceSchedule(stores: ChainStores, run: ClaimedRun, now: number): Promise<{ deliver: boolean }> {
  const [step] = await advanceSchedules(stores, [run], now);
  return step!;
}

/**
 * placeStrandedHeads(stores, now, overdueMs, limit): the repair of last resort, for a head whose shard
 * row was never written (a step whose shard write failed after its commit and that nothing retried,
 * such as an edit answered 503): heads overdue by more than overdueMs that are still waiting get
 * their shard rows again (a row still there is left as it is). Returns how many were waiting.
 */
export async function placeStrandedHeads(stores: ChainStores, now: number, overdueMs: number, limit: number): Promise<number> {
  const heads = await overdueHeads(stores.main, now - overdueMs, limit);
  if (heads.length === 0) return 0;
  const waiting = await waitingAmong(stores.main, heads);
  if (waiting.length > 0) await insertTimersToFire(stores.shards, waiting, stores.dueSoonMs ?? null);
  return waiting.length;
}

/** Gives chain heads their shard rows again if they are still waiting (a step that died after its commit). */
async function placeHeads(stores: ChainStores, headIds: string[]): Promise<void> {
  const waiting = await waitingAmong(stores.main, headIds);
  if (waiting.length > 0) await insertTimersToFire(stores.shards, waiting, stores.dueSoonMs ?? null);
}
