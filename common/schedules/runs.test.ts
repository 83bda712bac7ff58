// Unit: a schedule's runs as pure functions: instants within start_at and end_at, ids derived from the
// instant, the jitter, and what a claimed head does (fire or skip) and which instant comes next.
import { advanceOf, instantAfter, instantsAfter, jitterOf, MISSED_AFTER_MS, runIdOf, runOf, type ScheduleShape } from './runs.js';
import type { ScheduleRow } from '../store/schedules.js';
import { scheduleSettings } from '../../test/helpers/schedule-settings.js';
import { instantOf } from '../messages/timer-id.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const S = 1000;

function schedule(fields: Partial<ScheduleRow> = {}): ScheduleShape & Pick<ScheduleRow, 'overlap' | 'catch_up' | 'backlog_runs'> {
  return {
    ...scheduleSettings(T0, { url: 'https://example.com/hook' }),
    id: '0b1f7c1e-2a57-4c1f-9a3e-5d2b8f7a1c90',
    owner_id: null,
    generation: 1,
    backlog_runs: 0,
    ...fields,
  };
}

test('instants keep within start_at and end_at', () => {
  const s = schedule({ start_at: new Date(T0 + 35 * S), anchor_at: new Date(T0 + 35 * S), end_at: new Date(T0 + 55 * S) });
  expect(instantAfter(s, T0)).toBe(T0 + 35 * S);
  expect(instantsAfter(s, T0, 5)).toEqual([T0 + 35 * S, T0 + 45 * S, T0 + 55 * S]);
  expect(instantAfter(s, T0 + 55 * S)).toBeNull();
  const cron = schedule({ cron: '0 * * * *', every_ms: null, start_at: new Date(T0 + 1), timezone: 'Europe/Berlin' });
  expect(instantAfter(cron, T0)).toBe(T0 + 3_600 * S);
});

test('a run id is the same wherever it is derived, differs by instant and by generation, and carries its instant (its day partition)', () => {
  const id = runIdOf(schedule().id, 1, T0);
  expect(runIdOf(schedule().id, 1, T0)).toBe(id);
  expect(runIdOf(schedule().id, 1, T0 + 1)).not.toBe(id);
  expect(runIdOf(schedule().id, 2, T0)).not.toBe(id);
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(instantOf(id)).toBe(T0);
});

test('the jitter is within its bound and the same for a run each time', () => {
  const offsets = Array.from({ length: 200 }, (_, i) => jitterOf(runIdOf(schedule().id, 1, T0 + i * S), 5 * S));
  expect(offsets.every((ms) => ms >= 0 && ms <= 5 * S)).toBe(true);
  expect(new Set(offsets).size).toBeGreaterThan(100);
  expect(jitterOf(runIdOf(schedule().id, 1, T0), 5 * S)).toBe(offsets[0]);
  expect(jitterOf(runIdOf(schedule().id, 1, T0), 0)).toBe(0);
  const run = runOf(schedule({ jitter_ms: 5 * S }), T0, T0 - S);
  expect(run.timer.fire_at).toBe(T0 + offsets[0]!);
  expect(run.timer).toMatchObject({ schedule_id: schedule().id, schedule_instant: T0, url: 'https://example.com/hook' });
});

test('a task schedule: the run targets a task of its own, derived from the run', () => {
  const run = runOf(schedule({ url: null, task_type: 'noop', task_args: {} }), T0, T0 - S);
  expect(run.task).toMatchObject({ type: 'noop', run_at: T0 });
  expect(run.timer.url).toBe(`task:${run.task!.id}`);
  expect(runOf(schedule({ url: null, task_type: 'noop', task_args: {} }), T0, T0).task!.id).toBe(run.task!.id);
});

test("a task schedule's runs tell their outcome through their task, which names the schedule's callback URLs", () => {
  const urls = { callback_url: 'https://example.com/done', failure_callback_url: 'https://example.com/failed' };
  const run = runOf(schedule({ url: null, task_type: 'noop', task_args: {}, ...urls }), T0, T0);
  expect(run.task).toMatchObject(urls);
  expect(run.timer.callback_url).toBeUndefined();
  expect(run.timer.failure_callback_url).toBeUndefined();
});

test("each run names the schedule's flow-control key, a webhook's and a task's alike", () => {
  expect(runOf(schedule({ flow_key: 'nightly' }), T0, T0).timer.flow_control).toEqual({ key: 'nightly' });
  expect(runOf(schedule({ flow_key: 'nightly', url: null, task_type: 'noop', task_args: {} }), T0, T0).timer.flow_control).toEqual({ key: 'nightly' });
  expect(runOf(schedule(), T0, T0).timer.flow_control).toBeUndefined();
});

test("each run, and a task schedule's run's task, keeps the schedule's retention_s; none: the default of its outcome", () => {
  expect(runOf(schedule({ retention_s: 7_200 }), T0, T0).timer.retention_s).toBe(7_200);
  const taskRun = runOf(schedule({ retention_s: 7_200, url: null, task_type: 'noop', task_args: {} }), T0, T0);
  expect(taskRun.timer.retention_s).toBe(7_200);
  expect(taskRun.task!.retention_s).toBe(7_200);
  expect(runOf(schedule(), T0, T0).timer.retention_s).toBeUndefined();
  expect(runOf(schedule({ url: null, task_type: 'noop', task_args: {} }), T0, T0).task!.retention_s).toBeNull();
});

describe('a claimed head', () => {
  test('on time: it fires and the following instant comes next', () => {
    expect(advanceOf(schedule(), T0 + 10 * S, T0 + 10 * S, false)).toEqual({ skip: null, next: T0 + 20 * S, backlogRuns: 0 });
  });

  test('overlap skip with a run in flight: skipped, the following instant still comes next', () => {
    const advance = advanceOf(schedule({ overlap: 'skip' }), T0 + 10 * S, T0 + 10 * S, true);
    expect(advance.skip).toMatch(/overlap/);
    expect(advance.next).toBe(T0 + 20 * S);
    expect(advanceOf(schedule({ overlap: 'allow' }), T0 + 10 * S, T0 + 10 * S, true).skip).toBeNull();
  });

  test('late by less than the missed threshold: it fires, and the next instant follows even when due', () => {
    expect(advanceOf(schedule(), T0 + 10 * S, T0 + 35 * S, false)).toEqual({ skip: null, next: T0 + 20 * S, backlogRuns: 1 });
  });

  test('missed, catch_up latest: skipped for the latest due instant, which then fires', () => {
    const now = T0 + 10 * S + MISSED_AFTER_MS + 5 * S;
    const skipped = advanceOf(schedule(), T0 + 10 * S, now, false);
    expect(skipped).toMatchObject({ next: T0 + 70 * S, backlogRuns: 1 });
    expect(skipped.skip).toMatch(/catch_up: latest/);
    expect(advanceOf(schedule({ backlog_runs: 1 }), T0 + 70 * S, now + MISSED_AFTER_MS + 20 * S, false)).toMatchObject({ skip: null, backlogRuns: 0 });
  });

  test('missed, catch_up none: skipped, the next instant after now comes next; a threshold of its own applies', () => {
    expect(advanceOf(schedule({ catch_up: 'none' }), T0 + 10 * S, T0 + 200 * S, false)).toMatchObject({ next: T0 + 210 * S, backlogRuns: 0 });
    expect(advanceOf(schedule({ catch_up: 'none' }), T0 + 10 * S, T0 + 13 * S, false, 2 * S).skip).toMatch(/catch_up: none/);
  });

  test('end_at reached: no next instant', () => {
    expect(advanceOf(schedule({ end_at: new Date(T0 + 15 * S) }), T0 + 10 * S, T0 + 10 * S, false)).toEqual({ skip: null, next: null, backlogRuns: 0 });
  });
});
