// Unit: the callback timers a finished task makes are messages the consumer stores, whatever the result.
import { describe, expect, it } from '@jest/globals';
import { incomingTimerMessage } from '../common/messages/timer-message.js';
import type { TaskRow } from '../common/store/tasks.js';
import { callbackId } from '../common/webhooks/callbacks.js';
import { taskCallbacks } from './task-callbacks.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function task(fields: Partial<TaskRow> = {}): TaskRow {
  return {
    id: '019b0000-0000-7000-8000-000000000001',
    type: 'parse',
    args: {},
    state: 'succeeded',
    result: { ok: true },
    error: null,
    attempts: 1,
    max_attempts: 3,
    timeout_ms: 10_000,
    run_at: new Date(T0),
    created_at: new Date(T0),
    started_at: new Date(T0 + 1),
    finished_at: new Date(T0 + 2),
    worker: 'test:1',
    owner_id: '019b0000-0000-7000-8000-0000000000aa',
    result_url: 'https://example.com/result',
    callback_url: null,
    failure_callback_url: null,
    series: 1,
    flow_key: null,
    retention_s: null,
    expires_at: null,
    ...fields,
  };
}

describe('taskCallbacks', () => {
  it("makes timers of the task's owner, due now, that the consumer's schema accepts whole", () => {
    const [timer, ...others] = taskCallbacks(task(), T0 + 5);
    expect(others).toEqual([]);
    expect(timer).toEqual({
      id: callbackId(task().id, 1, 'succeeded', 'result_url'),
      url: 'https://example.com/result',
      fire_at: T0 + 5,
      created_at: T0 + 5,
      body: expect.any(String),
      owner_id: task().owner_id,
      callback_of: task().id,
      callback_outcome: 'succeeded',
    });
    expect(incomingTimerMessage.parse(timer)).toEqual(timer);
  });

  it('carries a large result, and text a database could not store only escaped, in a body the consumer accepts', () => {
    const result = { data: 'x'.repeat(5_000_000), odd: 'a\ud800b', nul: 'a\u0000b' };
    const [timer] = taskCallbacks(task({ result }), T0);
    expect(incomingTimerMessage.safeParse(timer).success).toBe(true);
    expect((JSON.parse(timer!.body!) as { result: unknown }).result).toEqual(result);
  });

  it('makes nothing for a task not finished, cancelled, or naming no URL for its outcome', () => {
    expect(taskCallbacks(task({ state: 'running' }), T0)).toEqual([]);
    expect(taskCallbacks(task({ state: 'cancelled' }), T0)).toEqual([]);
    expect(taskCallbacks(task({ result_url: null, failure_callback_url: 'https://example.com/failed' }), T0)).toEqual([]);
    expect(taskCallbacks(task({ state: 'failed', result_url: null, callback_url: 'https://example.com/done' }), T0)).toEqual([]);
  });

  it("tells a retried task's run apart from the runs before it", () => {
    const [first] = taskCallbacks(task({ state: 'failed', error: 'no' }), T0);
    const [second] = taskCallbacks(task({ state: 'failed', error: 'no', series: 2 }), T0);
    expect(second!.id).not.toBe(first!.id);
  });
});
