// Integration: what operators do with tasks (list by state, retry a failed task, pause and resume a task
// type) through the webserver's app, with workers' task handlers and their paused-type caches in this
// process, on real RabbitMQ and PostgreSQL. A test task type, "switch", fails while the test says so and
// notes each run, so "failed, then succeeds once retried" and "ran once" are facts the test reads.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { z } from 'zod';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { findTask, type TaskRow } from '../../common/store/tasks.js';
import { insertUser } from '../../common/store/users.js';
import { issueToken } from '../../common/auth/tokens.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { resumeTaskType } from '../../common/store/task-type-pauses.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { AMQP_URL, deleteTopology, readyCount, testQueuePrefix } from '../../test/helpers/broker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { testTokens } from '../../test/helpers/user-api.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { taskContracts } from '../../common/tasks/contracts.js';
import { defineTaskContract } from '../../common/tasks/task-contract.js';
import { taskRegistry } from '../../worker/tasks/registry.js';
import { defineTask, PermanentTaskError, type TaskType } from '../../worker/tasks/task-type.js';
import { taskHandler } from '../../worker/handle-task.js';
import { PausedTypes } from '../../worker/paused-types.js';
import { deadLetterer } from '../../common/broker/dead-letter.js';
import { createApp } from '../app.js';
import { TaskReplies } from './task-replies.js';
import type { TaskDeps } from './submit-task.js';
import { taskAnswer, taskList } from '../openapi/openapi-tasks.js';
import { taskTypeAnswer, taskTypeList } from '../openapi/openapi-task-types.js';

const prefix = testQueuePrefix();
const log = silentLogger();
let dbs: TestDatabases;
let webAmqp: AmqpClient;
const servers: Server[] = [];
let base: string;
let admin: string;
let alice: { id: string; token: string };
let bob: { id: string; token: string };

/** "switch" runs fail permanently while `failing`; each run notes its n. */
let failing = false;
const runs: number[] = [];
const switchContract = defineTaskContract({
  name: 'switch',
  description: 'fails while the test says so (testing)',
  args: z.object({ n: z.number().int() }).strict(),
  result: z.object({ n: z.number() }),
});
const switchTask = defineTask(switchContract, async ({ n }) => {
  runs.push(n);
  if (failing) throw new PermanentTaskError('switched off');
  return { n };
});
const contracts = new Map([...taskContracts({ testing: true }), ['switch', switchContract]]);
const registry = new Map<string, TaskType>([...taskRegistry({ testing: true }), ['switch', switchTask as TaskType]]);

/** A worker in this process: its handler, its look at the pauses, and the ids it was delivered and acked, in order. */
interface TestWorker {
  amqp: AmqpClient;
  pauses: PausedTypes;
  delivered: string[];
  acked: Set<string>;
}
const workers: TestWorker[] = [];

const idOf = (message: ConsumeMessage) => (JSON.parse(message.content.toString()) as { id: string }).id;

async function startWorker(name: string): Promise<TestWorker> {
  const amqp = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-${name}-${prefix}`);
  await amqp.start();
  await amqp.waitForConnect();
  // Looks every 100 ms, so that a pause with until ends by itself soon; the tests call refresh() where they need a look now.
  const pauses = new PausedTypes(dbs.main, amqp, log, 100);
  const worker: TestWorker = { amqp, pauses, delivered: [], acked: new Set() };
  const handler = taskHandler({
    db: dbs.main,
    amqp,
    registry,
    workerName: name,
    retryBaseMs: 10,
    randomUserServiceUrl: 'http://127.0.0.1:1/',
    deadLetter: deadLetterer(amqp, log),
    pausedTypes: pauses,
    log,
    now: Date.now,
  });
  await amqp.consume(amqp.names.tasks, 50, (message: ConsumeMessage, channel: Channel) => {
    worker.delivered.push(idOf(message));
    // The channel as the handler sees it, noting each ack.
    const noting = Object.create(channel) as Channel;
    noting.ack = (acked: ConsumeMessage, allUpTo?: boolean) => {
      worker.acked.add(idOf(acked));
      channel.ack(acked, allUpTo);
    };
    handler.handle(message, noting);
  });
  pauses.start();
  workers.push(worker);
  return worker;
}

async function listen(app: ReturnType<typeof createApp>): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(amqp: AmqpClient) {
  const tasks: TaskDeps = { amqp, mainDb: dbs.main, contracts, replies: new TaskReplies(dbs.main, log), defaultTimeoutS: 10, defaultMaxAttempts: 1, maxWaitS: 20, sumMaxNumbers: 100, now: Date.now };
  const auth = { mainDb: dbs.main, tokens: testTokens, required: false, adminEmails: [] };
  return createApp(appDeps({ amqp, mainDb: dbs.main, log, tasks, auth }));
}

async function user(email: string, role: 'admin' | 'user'): Promise<{ id: string; token: string }> {
  const id = newTimerId();
  await insertUser(dbs.main, { id, email, name: null, passwordHash: 'unused', role });
  return { id, token: (await issueToken(testTokens, id)).access_token };
}

let worker: TestWorker;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  webAmqp = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-web-${prefix}`);
  await webAmqp.start();
  await webAmqp.waitForConnect();
  worker = await startWorker('worker-a');
  base = await listen(appWith(webAmqp));
  admin = (await user('admin@example.com', 'admin')).token;
  alice = await user('alice@example.com', 'user');
  bob = await user('bob@example.com', 'user');
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const w of workers) await w.pauses.stop();
  await Promise.all([webAmqp.close(), ...workers.map((w) => w.amqp.close())]);
  await deleteTopology(queueNames(prefix));
  await dbs.drop();
});

type Json = Record<string, unknown>;

async function call(path: string, options: { method?: string; token?: string; body?: unknown; base?: string } = {}): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${options.base ?? base}${path}`, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: res.status, body: (await res.json()) as Json };
}

const submit = async (n: number, token?: string): Promise<string> => {
  const answer = await call('/tasks', { method: 'POST', token, body: { type: 'switch', args: { n } } });
  expect(answer.status).toBe(202);
  return answer.body.id as string;
};

/** Polls the task until it is in `state` (a state the worker produces; no fixed sleep). */
async function reaches(id: string, state: TaskRow['state']): Promise<TaskRow> {
  for (;;) {
    const task = await findTask(dbs.main, id);
    if (task?.state === state) return task;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until `ready` holds. */
async function until(ready: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 25));
}

const fieldsOf = (body: Json) => (body.details as Array<{ field: string }>).map((detail) => detail.field);

describe('failed tasks: list and retry', () => {
  it('GET /tasks?state=failed lists the caller’s failed tasks newest first, page by page; an admin sees every owner’s', async () => {
    failing = true;
    const mine = [await submit(1, alice.token), await submit(2, alice.token), await submit(3, alice.token)];
    const others = await submit(4, bob.token);
    for (const id of [...mine, others]) await reaches(id, 'failed');
    failing = false;

    const first = await call('/tasks?state=failed&limit=2', { token: alice.token });
    expect(first.status).toBe(200);
    expect(() => taskList.parse(first.body)).not.toThrow();
    expect((first.body.tasks as Json[]).map((t) => t.id)).toEqual([mine[2], mine[1]]);
    expect((first.body.tasks as Json[]).every((t) => t.state === 'failed')).toBe(true);
    const second = await call(`/tasks?state=failed&limit=2&cursor=${first.body.next_cursor as string}`, { token: alice.token });
    expect((second.body.tasks as Json[]).map((t) => t.id)).toEqual([mine[0]]);
    expect(second.body.next_cursor).toBeNull();

    const all = await call('/tasks?state=failed&type=switch', { token: admin });
    expect((all.body.tasks as Json[]).map((t) => t.id)).toEqual(expect.arrayContaining([...mine, others]));
    expect(((await call('/tasks?state=failed', { token: bob.token })).body.tasks as Json[]).map((t) => t.id)).toEqual([others]);
  });

  it('an unknown state is a 422 naming state', async () => {
    const answer = await call('/tasks?state=stuck');
    expect(answer.status).toBe(422);
    expect(fieldsOf(answer.body)).toEqual(['state']);
  });

  it('POST /tasks/{id}/retry queues a failed task from its first attempt; it then succeeds', async () => {
    failing = true;
    const id = await submit(10, alice.token);
    expect(await reaches(id, 'failed')).toMatchObject({ attempts: 1, error: 'switched off' });
    failing = false;
    const answer = await call(`/tasks/${id}/retry`, { method: 'POST', token: alice.token });
    expect(answer.status).toBe(200);
    expect(() => taskAnswer.parse(answer.body)).not.toThrow();
    // Queued from its first attempt; a worker may have taken it already (a worker's look can release it first).
    expect(answer.body).toMatchObject({ id, error: null });
    if (answer.body.state === 'queued') expect(answer.body).toMatchObject({ attempts: 0, result: null, started_at: null, finished_at: null });
    expect(await reaches(id, 'succeeded')).toMatchObject({ attempts: 1, result: { n: 10 }, error: null });
    expect(runs.filter((n) => n === 10)).toHaveLength(2);
  });

  it('refuses what cannot be retried: 409 naming the state, 404 for an unknown task or another owner’s', async () => {
    const done = await submit(20, alice.token);
    await reaches(done, 'succeeded');
    const conflict = await call(`/tasks/${done}/retry`, { method: 'POST', token: alice.token });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: 'not_failed', state: 'succeeded' });

    failing = true;
    const failed = await submit(21, alice.token);
    await reaches(failed, 'failed');
    failing = false;
    expect((await call(`/tasks/${failed}/retry`, { method: 'POST', token: bob.token })).status).toBe(404);
    expect((await call(`/tasks/${failed}/retry`, { method: 'POST' })).status).toBe(404);
    expect((await call(`/tasks/${newTimerId()}/retry`, { method: 'POST', token: alice.token })).status).toBe(404);
    expect((await call('/tasks/not-a-uuid/retry', { method: 'POST', token: alice.token })).status).toBe(400);
    expect((await findTask(dbs.main, failed))!.state).toBe('failed');
    // An admin retries anyone's.
    expect((await call(`/tasks/${failed}/retry`, { method: 'POST', token: admin })).status).toBe(200);
    await reaches(failed, 'succeeded');
  });

  it('answers 503 naming the broker when it is down, and the task stays failed', async () => {
    failing = true;
    const id = await submit(30);
    await reaches(id, 'failed');
    failing = false;
    // The workers' looks stop for this test: a look between the retry's two steps would publish the task
    // itself (through the workers' broker), and the retry would answer 200 with the task queued.
    for (const w of workers) await w.pauses.stop();
    try {
      const downBase = await listen(appWith(new AmqpClient('amqp://guest:guest@127.0.0.1:1', queueNames(prefix), log)));
      const answer = await call(`/tasks/${id}/retry`, { method: 'POST', base: downBase });
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'service_unavailable', dependency: 'broker' });
      expect(await findTask(dbs.main, id)).toMatchObject({ state: 'failed', attempts: 1, error: 'switched off' });
    } finally {
      for (const w of workers) w.pauses.start();
    }
  });
});

describe('pausing a task type', () => {
  const pause = (body?: unknown, token = admin, type = 'switch') => call(`/tasks/types/${type}/pause`, { method: 'POST', token, body });
  const resume = (token = admin, type = 'switch') => call(`/tasks/types/${type}/resume`, { method: 'POST', token });
  const lookNow = () => Promise.all(workers.map((w) => w.pauses.refresh()));

  it('only an admin lists, pauses or resumes task types: 401 without a token, 403 for a user; an unknown type is 404 naming it', async () => {
    for (const [path, method] of [
      ['/tasks/types', 'GET'],
      ['/tasks/types/switch/pause', 'POST'],
      ['/tasks/types/switch/resume', 'POST'],
    ] as const) {
      expect((await call(path, { method })).status).toBe(401);
      const forbidden = await call(path, { method, token: alice.token });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ error: 'forbidden' });
    }
    const unknown = await pause(undefined, admin, 'nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/no task type nope/);
    expect((await resume(admin, 'nope')).status).toBe(404);
  });

  it('bad input is a 422 naming the field', async () => {
    for (const body of [{ until: 'tomorrow' }, { until: new Date(Date.now() - 60_000).toISOString() }]) {
      const answer = await pause(body);
      expect(answer.status).toBe(422);
      expect(fieldsOf(answer.body)).toEqual(['until']);
    }
    const extra = await pause({ for: 60 });
    expect(extra.status).toBe(422);
    expect(fieldsOf(extra.body)).toEqual(['for']);
    const listed = await call('/tasks/types', { token: admin });
    expect((listed.body.types as Json[]).find((t) => t.type === 'switch')).toMatchObject({ paused: false });
  });

  it('holds the tasks of a paused type (acked, not run, state held); resume releases them in submission order, each run once', async () => {
    const paused = await pause();
    expect(paused.status).toBe(200);
    expect(() => taskTypeAnswer.parse(paused.body)).not.toThrow();
    expect(paused.body).toMatchObject({ type: 'switch', paused: true, paused_until: null });
    const listed = await call('/tasks/types', { token: admin });
    expect(() => taskTypeList.parse(listed.body)).not.toThrow();
    expect((listed.body.types as Json[]).map((t) => t.type)).toEqual([...contracts.keys()]);
    expect((listed.body.types as Json[]).find((t) => t.type === 'switch')).toMatchObject({ paused: true });
    await lookNow();

    const runsBefore = runs.length;
    const ids: string[] = [];
    for (let n = 100; n < 110; n += 1) ids.push(await submit(n));
    for (const id of ids) await reaches(id, 'held');
    await until(() => ids.every((id) => worker.acked.has(id)));
    expect(await readyCount(worker.amqp.names.tasks)).toBe(0);
    expect(runs.length).toBe(runsBefore);
    const shown = await call(`/tasks/${ids[0]}`);
    expect(shown.body).toMatchObject({ state: 'held', attempts: 0 });
    expect(((await call('/tasks?state=held')).body.tasks as Json[]).map((t) => t.id)).toEqual([...ids].reverse());
    // Other types still run.
    expect((await call('/tasks?wait=10', { method: 'POST', body: { type: 'noop' } })).body).toMatchObject({ state: 'succeeded' });

    const deliveredBefore = worker.delivered.length;
    const resumed = await resume();
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ type: 'switch', paused: false, paused_at: null, paused_until: null });
    for (const id of ids) await reaches(id, 'succeeded');
    expect(worker.delivered.slice(deliveredBefore).filter((id) => ids.includes(id))).toEqual(ids);
    // Each ran once. The order they start in is the worker's: its claims go in batches, two at a time,
    // and a later batch may come back first (one whose claim still looked for a pause that had ended).
    expect([...runs.slice(runsBefore)].sort((a, b) => a - b)).toEqual(ids.map((_, i) => 100 + i));
  });

  it('a pause with until ends by itself, and its held tasks run', async () => {
    const answer = await pause({ until: new Date(Date.now() + 3_000).toISOString() });
    expect(answer.body).toMatchObject({ paused: true, paused_until: expect.any(String) });
    await lookNow();
    const id = await submit(200);
    await reaches(id, 'held');
    expect(await reaches(id, 'succeeded')).toMatchObject({ attempts: 1, result: { n: 200 } });
    expect((await call('/tasks/types', { token: admin })).body.types).toContainEqual({ type: 'switch', paused: false, paused_at: null, paused_until: null });
  });

  it('two workers resuming at once publish and run each held task once', async () => {
    const second = await startWorker('worker-b');
    await pause();
    await lookNow();
    const ids: string[] = [];
    for (let n = 300; n < 340; n += 1) ids.push(await submit(n));
    for (const id of ids) await reaches(id, 'held');
    const before = [worker.delivered.length, second.delivered.length];
    // Resumed behind the webserver's back: the workers' own looks release the held tasks, both at once.
    await resumeTaskType(dbs.main, 'switch');
    await lookNow();
    for (const id of ids) expect(await reaches(id, 'succeeded')).toMatchObject({ attempts: 1 });
    const again = [...worker.delivered.slice(before[0]), ...second.delivered.slice(before[1])];
    for (const id of ids) expect(again.filter((d) => d === id)).toHaveLength(1);
    for (let n = 300; n < 340; n += 1) expect(runs.filter((r) => r === n)).toHaveLength(1);
  });

  it('a held task can be cancelled, and is not released', async () => {
    await pause();
    await lookNow();
    const id = await submit(400);
    await reaches(id, 'held');
    expect((await call(`/tasks/${id}/cancel`, { method: 'POST' })).body).toMatchObject({ state: 'cancelled' });
    const deliveredBefore = worker.delivered.length;
    await resume();
    await lookNow();
    expect(worker.delivered.slice(deliveredBefore)).not.toContain(id);
    expect((await findTask(dbs.main, id))!.state).toBe('cancelled');
  });
});
