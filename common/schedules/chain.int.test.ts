// Integration, on real databases: a schedule's chain of runs. The clock is passed in, so downtime is an
// instant far after the head's: catch_up decides what runs; pause and edit replace the head; two
// advances of the same run (a redelivery, two triggers) create the next run once; a step that died
// between its commit and its shard row is repaired by the next step.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { scheduleSettings } from '../../test/helpers/schedule-settings.js';
import { newTimerId } from '../messages/timer-id.js';
import { claimTimers, findTimer } from '../store/timers.js';
import { findSchedule, type ScheduleSettings } from '../store/schedules.js';
import { advanceSchedule, advanceSchedules, changeSchedule, createSchedule, placeStrandedHeads, type ChainStores } from './chain.js';
import { CATCH_UP_ALL_MAX, runIdOf } from './runs.js';

let dbs: TestDatabases;
let stores: ChainStores;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
  stores = { main: dbs.main, shards: dbs.shards };
});

afterEach(async () => {
  await dbs.drop();
});

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const S = 1000;

const settings = (fields: Partial<ScheduleSettings> = {}) => scheduleSettings(T0, fields);

/** The schedule's head run, claimed at `now` as a trigger claims it, then advanced: whether it is delivered. */
async function fireHead(id: string, now: number): Promise<{ deliver: boolean; instant: number }> {
  const s = (await findSchedule(dbs.main, id))!;
  const [claim] = await claimTimers(dbs.main, [s.next_run_id!], { now, marginMs: 5 * S, earlyMs: 0, defaultTimeoutMs: S });
  expect(claim?.claimed).toBe(true);
  const instant = Number(claim!.schedule_instant_ms);
  const step = await advanceSchedule(stores, { id: s.next_run_id!, scheduleId: id, instant, attempt: claim!.attempts }, now);
  return { ...step, instant };
}

const head = async (id: string) => (await findSchedule(dbs.main, id))!.next_instant?.getTime() ?? null;
const shardRows = async () => (await dbs.shards[0]!.query<{ id: string }>('SELECT id FROM timers_to_fire')).rows.map((r) => r.id);
const runStates = async (id: string) =>
  (
    await dbs.main.query<{ instant: Date; state: string; last_error: string | null }>(
      'SELECT schedule_instant AS instant, state, last_error FROM timers WHERE schedule_id = $1 ORDER BY schedule_instant',
      [id],
    )
  ).rows;

test('on time: the head fires and the next instant is materialised once, under an id derived from the instant', async () => {
  const id = newTimerId();
  const created = await createSchedule(stores, id, null, settings(), T0);
  expect(created.next_instant!.getTime()).toBe(T0 + 10 * S);
  expect(created.next_run_id).toBe(runIdOf(id, 1, T0 + 10 * S));
  expect(await shardRows()).toEqual([created.next_run_id]);

  expect(await fireHead(id, T0 + 10 * S)).toEqual({ deliver: true, instant: T0 + 10 * S });
  expect(await head(id)).toBe(T0 + 20 * S);
  // The same run advanced again (its message redelivered): nothing new.
  await advanceSchedule(stores, { id: runIdOf(id, 1, T0 + 10 * S), scheduleId: id, instant: T0 + 10 * S, attempt: 1 }, T0 + 10 * S);
  expect((await runStates(id)).map((r) => r.instant.getTime())).toEqual([T0 + 10 * S, T0 + 20 * S]);
});

test('two triggers advancing the same run at once create the next run once', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings(), T0);
  const runId = runIdOf(id, 1, T0 + 10 * S);
  await claimTimers(dbs.main, [runId], { now: T0 + 10 * S, marginMs: 5 * S, earlyMs: 0, defaultTimeoutMs: S });
  const run = { id: runId, scheduleId: id, instant: T0 + 10 * S, attempt: 1 };
  await Promise.all([advanceSchedule(stores, run, T0 + 10 * S), advanceSchedule(stores, run, T0 + 10 * S)]);
  expect((await runStates(id)).map((r) => r.instant.getTime())).toEqual([T0 + 10 * S, T0 + 20 * S]);
});

test('catch_up latest after downtime: the missed head is skipped and only the latest missed instant runs', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ catch_up: 'latest' }), T0);
  const back = T0 + 600 * S + 3 * S;
  expect((await fireHead(id, back)).deliver).toBe(false);
  expect(await head(id)).toBe(T0 + 600 * S);
  expect(await fireHead(id, back)).toEqual({ deliver: true, instant: T0 + 600 * S });
  expect(await head(id)).toBe(T0 + 610 * S);
  const runs = await runStates(id);
  expect(runs.map((r) => r.state)).toEqual(['skipped', 'firing', 'scheduled']);
  expect(runs[0]!.last_error).toMatch(/catch_up: latest/);
});

test('catch_up latest, a service behind by less than a minute (a bench at overload found runs skipped forever): every run fires, late', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ catch_up: 'latest' }), T0);
  const behind = 25 * S;
  const fired: Array<{ deliver: boolean; instant: number }> = [];
  for (let i = 1; i <= 4; i++) fired.push(await fireHead(id, T0 + i * 10 * S + behind));
  expect(fired).toEqual([1, 2, 3, 4].map((i) => ({ deliver: true, instant: T0 + i * 10 * S })));
});

test('catch_up latest: the latest missed instant fires even when it is itself claimed more than a minute late', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ catch_up: 'latest' }), T0);
  expect((await fireHead(id, T0 + 600 * S)).deliver).toBe(false);
  expect(await head(id)).toBe(T0 + 600 * S);
  expect(await fireHead(id, T0 + 700 * S)).toEqual({ deliver: true, instant: T0 + 600 * S });
  expect(await head(id)).toBe(T0 + 710 * S);
});

test('runs of many schedules claimed together advance in one step, each once', async () => {
  const ids = Array.from({ length: 5 }, () => newTimerId());
  for (const id of ids) await createSchedule(stores, id, null, settings({ overlap: 'skip' }), T0);
  const runIds = ids.map((id) => runIdOf(id, 1, T0 + 10 * S));
  await claimTimers(dbs.main, runIds, { now: T0 + 10 * S, marginMs: 5 * S, earlyMs: 0, defaultTimeoutMs: S });
  const runs = ids.map((scheduleId, i) => ({ id: runIds[i]!, scheduleId, instant: T0 + 10 * S, attempt: 1 }));
  // The same batch twice (a redelivery): the second finds every head moved on.
  expect(await advanceSchedules(stores, [...runs, runs[0]!], T0 + 10 * S)).toEqual(Array.from({ length: 6 }, () => ({ deliver: true })));
  for (const id of ids) expect(await head(id)).toBe(T0 + 20 * S);
  expect(await shardRows()).toEqual(expect.arrayContaining(ids.map((id) => runIdOf(id, 1, T0 + 20 * S))));
  expect((await runStates(ids[0]!)).map((r) => r.instant.getTime())).toEqual([T0 + 10 * S, T0 + 20 * S]);
});

test('catch_up none after downtime: the missed run is skipped and the schedule goes on from now', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ catch_up: 'none' }), T0);
  expect((await fireHead(id, T0 + 600 * S + 3 * S)).deliver).toBe(false);
  expect(await head(id)).toBe(T0 + 610 * S);
  expect((await runStates(id))[0]!.last_error).toMatch(/catch_up: none/);
});

test(`catch_up all runs every missed instant in order, at most ${CATCH_UP_ALL_MAX} in a row`, async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ catch_up: 'all' }), T0);
  const back = T0 + 35 * S;
  const fired: number[] = [];
  for (let i = 0; i < 3; i++) fired.push((await fireHead(id, back)).instant);
  expect(fired).toEqual([T0 + 10 * S, T0 + 20 * S, T0 + 30 * S]);
  expect(await head(id)).toBe(T0 + 40 * S);

  const long = newTimerId();
  await createSchedule(stores, long, null, settings({ catch_up: 'all' }), T0);
  const muchLater = T0 + 100_000 * S;
  for (let i = 0; i < CATCH_UP_ALL_MAX; i++) expect((await fireHead(long, muchLater)).deliver).toBe(true);
  expect(await head(long)).toBe(T0 + 100_010 * S);
});

test('overlap skip: a head falling due while an earlier run waits for a retry is skipped', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ overlap: 'skip' }), T0);
  await fireHead(id, T0 + 10 * S);
  await dbs.main.query(`UPDATE timers SET state = 'retrying' WHERE id = $1`, [runIdOf(id, 1, T0 + 10 * S)]);
  expect((await fireHead(id, T0 + 20 * S)).deliver).toBe(false);
  expect((await runStates(id)).map((r) => r.state)).toEqual(['retrying', 'skipped', 'scheduled']);
});

test('pause cancels the materialised head so it never fires; resume materialises the next instant after now, under a new generation', async () => {
  const id = newTimerId();
  const created = await createSchedule(stores, id, null, settings(), T0);
  const paused = (await changeSchedule(stores, id, (s) => ({ ...settings(), anchor_at: s.anchor_at, paused: true }), T0 + 2 * S))!;
  expect(paused).toMatchObject({ paused: true, next_run_id: null, next_instant: null, generation: 2 });
  expect((await findTimer(dbs.main, created.next_run_id!))!.state).toBe('cancelled');
  const [claim] = await claimTimers(dbs.main, [created.next_run_id!], { now: T0 + 10 * S, marginMs: 5 * S, earlyMs: 0, defaultTimeoutMs: S });
  expect(claim?.claimed).toBe(false);
  expect(await shardRows()).toEqual([]);

  const resumed = (await changeSchedule(stores, id, (s) => ({ ...settings(), anchor_at: s.anchor_at }), T0 + 45 * S))!;
  expect(resumed.next_instant!.getTime()).toBe(T0 + 50 * S);
  expect(resumed.next_run_id).toBe(runIdOf(id, 3, T0 + 50 * S));
  expect(await shardRows()).toEqual([resumed.next_run_id]);
});

test('a step that died between its commit and the shard row: the next step of the same run places the head again', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings(), T0);
  await fireHead(id, T0 + 10 * S);
  const next = runIdOf(id, 1, T0 + 20 * S);
  await dbs.shards[0]!.query('DELETE FROM timers_to_fire');
  await advanceSchedule(stores, { id: runIdOf(id, 1, T0 + 10 * S), scheduleId: id, instant: T0 + 10 * S, attempt: 2 }, T0 + 18 * S);
  expect(await shardRows()).toEqual([next]);
});

test('the repair sweep gives a long-overdue head without a shard row its row again, and leaves the others', async () => {
  const stranded = newTimerId();
  const fine = newTimerId();
  await createSchedule(stores, stranded, null, settings(), T0);
  await createSchedule(stores, fine, null, settings({ every_ms: 3_600 * S }), T0);
  await dbs.shards[0]!.query('DELETE FROM timers_to_fire WHERE id = $1', [runIdOf(stranded, 1, T0 + 10 * S)]);
  // Not yet overdue by the sweep's margin: nothing.
  expect(await placeStrandedHeads(stores, T0 + 60 * S, 300 * S, 100)).toBe(0);
  expect(await shardRows()).toEqual([runIdOf(fine, 1, T0 + 3_600 * S)]);
  expect(await placeStrandedHeads(stores, T0 + 400 * S, 300 * S, 100)).toBe(1);
  expect((await shardRows()).sort()).toEqual([runIdOf(stranded, 1, T0 + 10 * S), runIdOf(fine, 1, T0 + 3_600 * S)].sort());
  // A head already fired is not placed again.
  await fireHead(stranded, T0 + 400 * S);
  await dbs.shards[0]!.query('DELETE FROM timers_to_fire');
  await dbs.main.query(`UPDATE schedules SET next_run_id = $2 WHERE id = $1`, [stranded, runIdOf(stranded, 1, T0 + 10 * S)]);
  expect(await placeStrandedHeads(stores, T0 + 400 * S, 300 * S, 100)).toBe(0);
});

test('end_at: the last instant before it is the last run, then the schedule has ended', async () => {
  const id = newTimerId();
  await createSchedule(stores, id, null, settings({ end_at: new Date(T0 + 25 * S) }), T0);
  await fireHead(id, T0 + 10 * S);
  await fireHead(id, T0 + 20 * S);
  expect(await findSchedule(dbs.main, id)).toMatchObject({ next_run_id: null, next_instant: null });
});

test('a task schedule: each run is a timer that submits its own task', async () => {
  const id = newTimerId();
  const created = await createSchedule(stores, id, null, settings({ url: null, task_type: 'noop', task_args: { n: 1 }, max_attempts: 2, timeout_ms: 5 * S }), T0);
  const run = (await findTimer(dbs.main, created.next_run_id!))!;
  expect(run.url).toMatch(/^task:/);
  const task = await dbs.main.query('SELECT type, args, state, max_attempts FROM tasks WHERE id = $1', [run.url.slice('task:'.length)]);
  expect(task.rows[0]).toEqual({ type: 'noop', args: { n: 1 }, state: 'queued', max_attempts: 2 });
});
