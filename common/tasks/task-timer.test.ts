// Unit: the timer that carries a delayed task or a task's retry, and the reading of its target back.
import { describe, expect, it } from '@jest/globals';
import { incomingTimerMessage } from '../messages/timer-message.js';
import { taskIdOfTarget, taskTarget, taskTimerMessage } from './task-timer.js';

const TASK_ID = '0190b3c4-0000-7000-8000-000000000001';
const OWNER_ID = '0190b3c4-0000-7000-8000-0000000000aa';

describe('task timers', () => {
  it('reads back the task id its target names', () => {
    expect(taskTarget(TASK_ID)).toBe(`task:${TASK_ID}`);
    expect(taskIdOfTarget(taskTarget(TASK_ID))).toBe(TASK_ID);
  });

  it('reads no task id from a webhook URL', () => {
    expect(taskIdOfTarget('https://example.com/task:hook')).toBeNull();
  });

  it('builds an incoming timer a consumer accepts, due when the task is, with the owner of the task', () => {
    const timer = taskTimerMessage({ taskId: TASK_ID, fireAt: 2_000, createdAt: 1_000, ownerId: OWNER_ID });
    expect(incomingTimerMessage.parse(timer)).toEqual({ id: timer.id, url: `task:${TASK_ID}`, fire_at: 2_000, created_at: 1_000, owner_id: OWNER_ID });
  });

  it('gives each timer its own id, and none an owner when the task has none', () => {
    const a = taskTimerMessage({ taskId: TASK_ID, fireAt: 2_000, createdAt: 1_000, ownerId: null });
    const b = taskTimerMessage({ taskId: TASK_ID, fireAt: 2_000, createdAt: 1_000 });
    expect(a.id).not.toBe(b.id);
    expect(JSON.parse(JSON.stringify(a))).not.toHaveProperty('owner_id');
  });
});
