import { timerView } from './timer-view.js';
import type { TimerRow } from '../../common/store/timers.js';
import { timerRow } from '../../test/helpers/timer-row.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

const pending: TimerRow = timerRow({
  id: '01a20799-d442-7164-b84b-d016cb0daa84',
  url: 'https://example.com/hook?x=1',
  fire_at: new Date(NOW + 90_500),
  created_at: new Date(NOW - 1_000),
});

describe('timerView', () => {
  test('shows the plain fields id and time_left, with time_left in whole seconds rounded up', () => {
    const view = timerView(pending, NOW, 5);
    expect(view.id).toBe(pending.id);
    expect(view.time_left).toBe(91);
  });

  test('shows the rest of the record, instants as ISO-8601 UTC and never-happened ones as null', () => {
    expect(timerView(pending, NOW, 5)).toEqual({
      id: pending.id,
      time_left: 91,
      url: 'https://example.com/hook?x=1',
      fire_at: '2030-01-01T12:01:30.500Z',
      created_at: '2030-01-01T11:59:59.000Z',
      state: 'scheduled',
      attempts: 0,
      last_attempt_at: null,
      last_status: null,
      last_error: null,
      delivered_at: null,
      next_attempt_at: null,
      max_attempts: 5,
      replays: 0,
      attempt_history: [],
      method: 'POST',
      headers: {},
      body: { id: pending.id },
      schedule_id: null,
      schedule_instant: null,
      flow_control: null,
      callback_url: null,
      failure_callback_url: null,
      callback_of: null,
      retention_s: null,
      expires_at: null,
    });
  });

  test('a timer that tells its outcome shows where, and with its callbacks given, each callback and its delivery', () => {
    const telling: TimerRow = { ...pending, state: 'delivered', callback_url: 'https://example.com/done', failure_callback_url: 'https://example.com/failed' };
    const callback: TimerRow = {
      ...pending,
      id: '01a20799-d442-7164-b84b-d016cb0daa85',
      url: 'https://example.com/done',
      state: 'delivered',
      attempts: 1,
      last_status: 200,
      callback_of: pending.id,
      callback_outcome: 'delivered',
    };
    const view = timerView(telling, NOW, 5, [callback]);
    expect(view).toMatchObject({ callback_url: 'https://example.com/done', failure_callback_url: 'https://example.com/failed' });
    expect(view.callbacks).toEqual([expect.objectContaining({ id: callback.id, outcome: 'delivered', url: 'https://example.com/done', state: 'delivered', attempts: 1, last_status: 200 })]);
    expect(timerView(callback, NOW, 5)).toMatchObject({ callback_of: { id: pending.id, outcome: 'delivered' } });
    expect(timerView(telling, NOW, 5)).not.toHaveProperty('callbacks');
  });

  test('a timer that names a flow-control key shows it', () => {
    expect(timerView({ ...pending, flow_key: 'tenant-7', state: 'held' }, NOW, 5)).toMatchObject({ state: 'held', flow_control: { key: 'tenant-7' } });
  });

  test("a schedule's run shows its schedule and instant, and the default body says them too", () => {
    const run: TimerRow = { ...pending, schedule_id: '0b1f7c1e-2a57-4c1f-9a3e-5d2b8f7a1c90', schedule_instant: new Date(NOW + 90_000) };
    expect(timerView(run, NOW, 5)).toMatchObject({
      schedule_id: run.schedule_id,
      schedule_instant: '2030-01-01T12:01:30.000Z',
      body: { id: pending.id, schedule_id: run.schedule_id, instant: '2030-01-01T12:01:30.000Z' },
    });
  });

  test('a delivered timer shows 0 time left, its attempt, when it was delivered, its retention and when it expires', () => {
    const delivered: TimerRow = {
      ...pending,
      state: 'delivered',
      attempts: 2,
      last_attempt_at: new Date(NOW + 91_000),
      last_status: 204,
      last_error: null,
      delivered_at: new Date(NOW + 91_250),
      retention_s: 3_600,
      expires_at: new Date(NOW + 91_250 + 3_600_000),
    };
    expect(timerView(delivered, NOW + 100_000, 5)).toMatchObject({
      time_left: 0,
      state: 'delivered',
      attempts: 2,
      last_attempt_at: '2030-01-01T12:01:31.000Z',
      last_status: 204,
      delivered_at: '2030-01-01T12:01:31.250Z',
      retention_s: 3_600,
      expires_at: '2030-01-01T13:01:31.250Z',
    });
  });

  test('a failed attempt shows its status and error', () => {
    const failed: TimerRow = { ...pending, state: 'failed', attempts: 1, last_attempt_at: new Date(NOW), last_status: 500, last_error: 'HTTP 500' };
    expect(timerView(failed, NOW, 5)).toMatchObject({ state: 'failed', last_status: 500, last_error: 'HTTP 500', delivered_at: null });
  });

  test('a retrying timer shows its next attempt, its own attempt limit and every attempt so far', () => {
    const entry = { attempt: 1, series: 1, started_at: new Date(NOW).toISOString(), duration_ms: 12, status: 503, error: 'HTTP 503' };
    const retrying: TimerRow = { ...pending, state: 'retrying', attempts: 1, max_attempts: 3, next_attempt_at: new Date(NOW + 10_000), attempt_log: [entry] };
    expect(timerView(retrying, NOW, 5)).toMatchObject({
      state: 'retrying',
      next_attempt_at: '2030-01-01T12:00:10.000Z',
      max_attempts: 3,
      attempt_history: [entry],
    });
  });

  test('a shaped webhook shows its method, headers and body', () => {
    const shaped: TimerRow = { ...pending, method: 'PUT', headers: { authorization: 'Bearer x' }, body: '{"order":42}' };
    expect(timerView(shaped, NOW, 5)).toMatchObject({ method: 'PUT', headers: { authorization: 'Bearer x' }, body: { order: 42 } });
  });

  test('a replayed timer counts its replays', () => {
    expect(timerView({ ...pending, series: 3 }, NOW, 5).replays).toBe(2);
  });

  test('time_left counts down with the clock passed in, reaching 0 exactly at fire_at', () => {
    const fireAt = pending.fire_at.getTime();
    expect(timerView(pending, fireAt - 1, 5).time_left).toBe(1);
    expect(timerView(pending, fireAt, 5).time_left).toBe(0);
    expect(timerView(pending, fireAt + 5_000, 5).time_left).toBe(0);
  });

  test('the view is plain JSON: it survives JSON round trip unchanged', () => {
    const view = timerView(pending, NOW, 5);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});
