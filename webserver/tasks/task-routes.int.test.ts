// Integration: the task API, the sum service's routes and direct reply-to waits, with the webserver's app and a
// worker's task handler in this process on real RabbitMQ and PostgreSQL. The worker can be paused
// (deliveries held back) so that "not finished yet" is a state the test sets, not a race it hopes for.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { createPool } from '../../common/db/pool.js';
import { findTask, type TaskRow } from '../../common/store/tasks.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { closeConnectionFromBroker, deleteTopology, testQueuePrefix } from '../../test/helpers/broker.js';
import { connectWebAndWorker, testTaskDeps, testTaskHandler } from '../../test/helpers/task-worker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { createApp } from '../app.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { TaskReplies } from './task-replies.js';
import { taskAccepted, taskAnswer } from '../openapi/openapi-tasks.js';

const prefix = testQueuePrefix();
let dbs: TestDatabases;
let webAmqp: AmqpClient;
let workerAmqp: AmqpClient;
let replies: TaskReplies;
const servers: Server[] = [];
let base: string;
let deliveries = 0;
let paused = false;
const held: Array<() => void> = [];

const log = silentLogger();

async function listen(app: ReturnType<typeof createApp>): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(amqp: AmqpClient, taskReplies: TaskReplies) {
  return createApp(appDeps({ amqp, mainDb: dbs.main, log, tasks: testTaskDeps({ amqp, mainDb: dbs.main, replies: taskReplies }) }));
}

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  replies = new TaskReplies(dbs.main, log);
  ({ web: webAmqp, worker: workerAmqp } = await connectWebAndWorker(prefix, replies, log));
  const handler = testTaskHandler({ db: dbs.main, amqp: workerAmqp, log });
  await workerAmqp.consume(workerAmqp.names.tasks, 200, (message: ConsumeMessage, channel: Channel) => {
    deliveries += 1;
    if (paused) held.push(() => handler.handle(message, channel));
    else handler.handle(message, channel);
  });
  base = await listen(appWith(webAmqp, replies));
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all([webAmqp.close(), workerAmqp.close()]);
  await deleteTopology(queueNames(prefix));
  await dbs.drop();
});

function pause(): void {
  paused = true;
}
function resume(): void {
  paused = false;
  held.splice(0).forEach((run) => run());
}

const post = (path: string, body: unknown, contentType = 'application/json') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function taskCount(): Promise<number> {
  return (await dbs.main.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks')).rows[0]!.n;
}

/** Polls a task until it is in a final state (an event the worker produces; no fixed sleep). */
async function finished(id: string) {
  for (;;) {
    const task = await findTask(dbs.main, id);
    if (task && ['succeeded', 'failed', 'cancelled'].includes(task.state)) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('POST /tasks', () => {
  it('answers 202 {id, state} once the broker confirmed; the task then runs', async () => {
    const res = await post('/tasks', { type: 'sum', args: { numbers: [1, 2] } });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; state: string };
    expect(body.state).toBe('queued');
    expect(res.headers.get('location')).toBe(`/tasks/${body.id}`);
    expect(await finished(body.id)).toMatchObject({ state: 'succeeded', result: 3 });
    const read = await fetch(`${base}/tasks/${body.id}`);
    const record = await read.json();
    // The answers are the ones the OpenAPI description promises.
    expect(() => taskAccepted.parse(body)).not.toThrow();
    expect(() => taskAnswer.parse(record)).not.toThrow();
    expect(record).toMatchObject({ id: body.id, type: 'sum', args: { numbers: [1, 2] }, state: 'succeeded', result: 3, attempts: 1, max_attempts: 2, timeout_s: 10 });
  });

  it('with ?wait= answers 200 with the finished task', async () => {
    const res = await post('/tasks?wait=10', { type: 'noop' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'noop', state: 'succeeded', result: null, error: null });
  });

  it('with ?wait= answers with the task as it was committed, as GET /tasks/{id} shows it', async () => {
    const res = await post('/tasks?wait=10', { type: 'sum', args: { numbers: [1, 2] } });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { id: string };
    expect(answer).toMatchObject({ type: 'sum', state: 'succeeded', result: 3, attempts: 1 });
    // GET adds the callbacks that told its outcome (none named here).
    expect(await (await fetch(`${base}/tasks/${answer.id}`)).json()).toEqual({ ...answer, callbacks: [] });
  });

  it('past the wait answers 202 with the id, and the client polls', async () => {
    pause();
    const res = await post('/tasks?wait=0.2', { type: 'noop' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    resume();
    expect((await finished(id)).state).toBe('succeeded');
  });

  it('waits through a retry: the reply says "queued", the wait then watches the table', async () => {
    const res = post('/tasks?wait=15', { type: 'flaky', args: { failures: 1 }, max_attempts: 2 });
    // The retry goes through a task timer, and no trigger runs in this file: deliver it as one would.
    const { id } = (await findRecent('flaky'))!;
    await waitForState(id, 'queued', (task) => task.error !== null);
    await workerAmqp.publish(workerAmqp.names.tasks, Buffer.from(JSON.stringify({ id })), { messageId: id });
    const answer = await res;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id, state: 'succeeded', attempts: 2, result: { attempt: 2 } });
  });

  it('rejects an unknown type or bad args with 422: nothing stored, nothing queued', async () => {
    const before = { rows: await taskCount(), deliveries };
    for (const body of [
      { type: 'nope' },
      { type: 'sum', args: { numbers: [] } },
      { type: 'sum', args: { numbers: ['x'] } },
      { type: 'noop', delay_seconds: 1, run_at: new Date().toISOString() },
      { type: 'noop', timeout_s: 0 },
    ]) {
      const res = await post('/tasks', body);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: 'validation_failed' });
    }
    expect((await post('/tasks?wait=99', { type: 'noop' })).status).toBe(422);
    // A noop submitted after them is the next delivery: none of the rejected ones was queued.
    const ok = await post('/tasks?wait=10', { type: 'noop' });
    expect(ok.status).toBe(200);
    expect(deliveries).toBe(before.deliveries + 1);
    expect(await taskCount()).toBe(before.rows + 1);
  });
});

async function findRecent(type: string): Promise<{ id: string } | undefined> {
  for (;;) {
    const row = (await dbs.main.query<{ id: string }>('SELECT id FROM tasks WHERE type = $1 ORDER BY id DESC LIMIT 1', [type])).rows[0];
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForState(id: string, state: string, also: (task: TaskRow) => boolean = () => true): Promise<void> {
  for (;;) {
    const task = await findTask(dbs.main, id);
    if (task?.state === state && also(task)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('reading, listing and cancelling', () => {
  it('cancels a task that has not started; 409 once it has, 404 for an unknown id', async () => {
    const res = await post('/tasks', { type: 'noop', delay_seconds: 3_600 });
    const { id } = (await res.json()) as { id: string };
    const cancel = await fetch(`${base}/tasks/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ id, state: 'cancelled' });
    const again = await fetch(`${base}/tasks/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'not_cancellable', state: 'cancelled' });
    expect((await fetch(`${base}/tasks/0190f5d8-7e8a-7cc0-8000-000000000000/cancel`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/tasks/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${base}/tasks/0190f5d8-7e8a-7cc0-8000-000000000000`)).status).toBe(404);
  });

  it('lists newest first with filters and a cursor', async () => {
    const since = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push(((await (await post('/tasks?wait=10', { type: 'sum', args: { numbers: [i] } })).json()) as { id: string }).id);
    const first = (await (await fetch(`${base}/tasks?type=sum&created_after=${since}&limit=2`)).json()) as { tasks: Array<{ id: string }>; next_cursor: string };
    expect(first.tasks.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const second = (await (await fetch(`${base}/tasks?type=sum&created_after=${since}&limit=2&cursor=${first.next_cursor}`)).json()) as { tasks: Array<{ id: string }>; next_cursor: string | null };
    expect(second.tasks.map((t) => t.id)).toEqual([ids[0]]);
    expect(second.next_cursor).toBeNull();
    const none = (await (await fetch(`${base}/tasks?type=sum&state=failed&created_after=${since}`)).json()) as { tasks: unknown[] };
    expect(none.tasks).toEqual([]);
    expect((await fetch(`${base}/tasks?state=bogus`)).status).toBe(422);
  });
});

describe("the sum service's routes", () => {
  it('POST /sync/sum answers the sum for a JSON list or {"numbers": [...]}, whatever the Content-Type', async () => {
    const list = await post('/sync/sum', [1, 2, 3.5]);
    expect(list.status).toBe(200);
    expect(await list.json()).toBe(6.5);
    const object = await post('/sync/sum', '{"numbers": [10, -4]}', 'application/x-www-form-urlencoded');
    expect(await object.json()).toBe(6);
  });

  it('POST /sync/sum: 422 for an empty list, a non-number, an oversized list', async () => {
    for (const body of [[], [1, 'two'], { numbers: [] }, Array.from({ length: 101 }, () => 1), { values: [1] }, '"nope"']) {
      const res = await post('/sync/sum', body);
      expect(res.status).toBe(422);
    }
  });

  it('POST /async/post_task answers a session id; get_task_result is null until finished, then the sum', async () => {
    pause();
    const res = await post('/async/post_task', { numbers: [2, 2] });
    expect(res.status).toBe(200);
    const { session_id } = (await res.json()) as { session_id: string };
    const pending = await fetch(`${base}/async/get_task_result?session_id=${session_id}`);
    expect(pending.status).toBe(200);
    expect(await pending.json()).toBeNull();
    resume();
    await finished(session_id);
    expect(await (await fetch(`${base}/async/get_task_result?session_id=${session_id}`)).json()).toBe(4);
    expect((await fetch(`${base}/async/get_task_result`)).status).toBe(400);
    expect((await fetch(`${base}/async/get_task_result?session_id=0190f5d8-7e8a-7cc0-8000-000000000000`)).status).toBe(404);
  });
});

describe('waits and failures', () => {
  it('waits held when the webserver loses its broker connection end by watching the table', async () => {
    pause();
    const requests = Array.from({ length: 5 }, (_, i) => post('/sync/sum', [i, 1]));
    while (replies.size < 5 || held.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    closeConnectionFromBroker(`test-web-${prefix}`);
    await webAmqp.waitForConnect();
    resume();
    const answers = await Promise.all(requests.map(async (r) => [(await r).status, await (await r).json()]));
    expect(answers).toEqual([0, 1, 2, 3, 4].map((i) => [200, i + 1]));
  });

  it('answers 503 naming the broker when it is down, and keeps no task', async () => {
    const down = new AmqpClient('amqp://guest:guest@127.0.0.1:1', queueNames(prefix), log);
    const downBase = await listen(appWith(down, new TaskReplies(dbs.main, log)));
    const before = await taskCount();
    for (const [path, body] of [
      ['/tasks', { type: 'noop' }],
      ['/tasks?wait=5', { type: 'noop' }],
      ['/sync/sum', [1]],
      ['/async/post_task', [1]],
    ] as const) {
      const res = await fetch(`${downBase}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'service_unavailable', dependency: 'broker' });
    }
    expect(await taskCount()).toBe(before);
  });

  it('answers 503 naming the database when it is down', async () => {
    const downDb = createPool('postgres://postgres@127.0.0.1:1/none', 'timer-test', 1, log);
    const tasks = testTaskDeps({ amqp: webAmqp, mainDb: downDb, replies });
    const downBase = await listen(createApp(appDeps({ amqp: webAmqp, mainDb: downDb, log, tasks })));
    const res = await fetch(`${downBase}/sync/sum`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ dependency: 'database' });
    await downDb.end();
  });
});
