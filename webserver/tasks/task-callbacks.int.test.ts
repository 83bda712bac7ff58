// Integration: a task's callback URLs through the task API, with the webserver's app and a worker's task
// handler in this process on real RabbitMQ and PostgreSQL: the URLs are checked at the door (shape and
// address policy), stored with the task, and GET /tasks/{id} shows the callbacks its outcome made. No
// consumer runs here: the test stores the callback timers from incoming_timers as a consumer would.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { incomingTimerMessage } from '../../common/messages/timer-message.js';
import { findTask } from '../../common/store/tasks.js';
import { insertTimers } from '../../common/store/timers.js';
import { callbackId } from '../../common/webhooks/callbacks.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { deleteTopology, nextMessage, testQueuePrefix } from '../../test/helpers/broker.js';
import { connectWebAndWorker, testTaskDeps, testTaskHandler } from '../../test/helpers/task-worker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { watchAnswers } from '../../test/helpers/checked-answers.js';
import { createApp } from '../app.js';
import { TaskReplies } from './task-replies.js';

const prefix = testQueuePrefix();
const log = silentLogger();
let dbs: TestDatabases;
let webAmqp: AmqpClient;
let workerAmqp: AmqpClient;
let server: Server;
let base: string;
let unwatch: () => void;

// Loopback is allowed in these tests (test/helpers/app-deps.ts); link-local and private addresses are not.
const RESULT = 'http://127.0.0.1:1/result';
const METADATA = 'http://169.254.169.254/latest/meta-data';

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  const replies = new TaskReplies(dbs.main, log);
  ({ web: webAmqp, worker: workerAmqp } = await connectWebAndWorker(prefix, replies, log));
  const handler = testTaskHandler({ db: dbs.main, amqp: workerAmqp, log });
  await workerAmqp.consume(workerAmqp.names.tasks, 20, (message, channel) => handler.handle(message, channel));
  const tasks = testTaskDeps({ amqp: webAmqp, mainDb: dbs.main, replies });
  server = createApp(appDeps({ amqp: webAmqp, mainDb: dbs.main, log, tasks })).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Every answer is checked against the OpenAPI description.
  unwatch = watchAnswers(base);
});

afterAll(async () => {
  unwatch();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await Promise.all([webAmqp.close(), workerAmqp.close()]);
  await deleteTopology(queueNames(prefix));
  await dbs.drop();
});

const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function taskCount(): Promise<number> {
  return (await dbs.main.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks')).rows[0]!.n;
}

describe('POST /tasks with callback URLs', () => {
  it('refuses a URL the address policy refuses with 422 callback_refused naming the field; nothing is stored', async () => {
    const before = await taskCount();
    for (const field of ['result_url', 'callback_url', 'failure_callback_url']) {
      const res = await post('/tasks', { type: 'noop', [field]: METADATA });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: 'callback_refused', details: [{ field }] });
    }
    const refusedAfterAllowed = await post('/tasks?wait=5', { type: 'noop', result_url: RESULT, failure_callback_url: 'http://10.0.0.1/failed' });
    expect(refusedAfterAllowed.status).toBe(422);
    expect(await refusedAfterAllowed.json()).toMatchObject({ error: 'callback_refused', details: [{ field: 'failure_callback_url' }] });
    expect(await taskCount()).toBe(before);
  });

  it('refuses a malformed URL with 422 naming the field', async () => {
    for (const [field, url] of [
      ['result_url', 'not a url'],
      ['callback_url', 'ftp://example.com/done'],
      ['failure_callback_url', 'https://user:secret@example.com/failed'],
      ['result_url', 42],
    ] as const) {
      const res = await post('/tasks', { type: 'noop', [field]: url });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: string; details: Array<{ field: string }> };
      expect(body.error).toBe('validation_failed');
      expect(body.details.map((d) => d.field)).toEqual([field]);
    }
  });

  it('with ?wait= still answers with the result; GET then shows the URLs and the callbacks the outcome made', async () => {
    const res = await post('/tasks?wait=10', { type: 'sum', args: { numbers: [1, 2] }, result_url: RESULT });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { id: string };
    expect(answer).toMatchObject({ state: 'succeeded', result: 3, result_url: RESULT, callback_url: null, failure_callback_url: null });
    // The worker published the callback before it acked the task's message; store it as a consumer would.
    const callback = incomingTimerMessage.parse(JSON.parse((await nextMessage(webAmqp.names.incomingTimers)).body));
    expect(callback.id).toBe(callbackId(answer.id, 1, 'succeeded', 'result_url'));
    await insertTimers(dbs.main, [callback]);
    const read = await (await fetch(`${base}/tasks/${answer.id}`)).json();
    // The task as the wait answered it, and its callback waiting for its delivery (its whole shape is the OpenAPI description's).
    expect(read).toEqual({ ...answer, callbacks: [expect.objectContaining({ id: callback.id, outcome: 'succeeded', url: RESULT, state: 'scheduled', attempts: 0 })] });
  });

  it('stores the URLs of a delayed task with the task', async () => {
    const urls = { callback_url: 'http://127.0.0.1:1/done', failure_callback_url: 'http://[::1]:1/failed' };
    const res = await post('/tasks', { type: 'noop', delay_seconds: 3_600, ...urls });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'queued', result_url: null, ...urls });
    expect(await (await fetch(`${base}/tasks/${id}`)).json()).toMatchObject({ result_url: null, ...urls, callbacks: [] });
  });
});
