// Integration: the worker's task handler on real RabbitMQ and PostgreSQL, in this process, with a
// "gate" task type whose run the test holds open, so that states are observed by events, not by time.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { Channel } from 'amqplib';
import type { AmqpClient } from '../common/broker/amqp.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { cancelTask, findTask, insertTask } from '../common/store/tasks.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import amqplib from 'amqplib';
import { AMQP_URL, connectTestBroker, deleteTopology, nextMessage } from '../test/helpers/broker.js';
import { encodeTaskMessage, taskReply } from '../common/messages/task-message.js';
import { silentLogger } from '../test/helpers/logger.js';
import { taskRegistry } from './tasks/registry.js';
import { defineTask, type TaskType } from './tasks/task-type.js';
import { defineTaskContract } from '../common/tasks/task-contract.js';
import { taskHandler } from './handle-task.js';
import { deadLetterer, type DeadLetter } from '../common/broker/dead-letter.js';

let dbs: TestDatabases;
let amqp: AmqpClient;
let events: string[];
let deadReasons: string[];
let statements: string[];
/** set by a test: the next delivery goes back to the queue unhandled, so the broker redelivers it */
let requeueNext: boolean;
let onEvent: () => void;
let gate: { started: Promise<void>; release: () => void };

function newGate() {
  let started!: () => void;
  let release!: () => void;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    started: startedP,
    release,
    run: async () => {
      started();
      await released;
      return { ok: true };
    },
  };
}

beforeEach(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker();
  events = [];
  deadReasons = [];
  statements = [];
  requeueNext = false;
  onEvent = () => undefined;
  const g = newGate();
  gate = { started: g.started, release: g.release };
  const gateTask = defineTask(defineTaskContract({ name: 'gate', description: 'waits for the test', args: z.object({}), result: z.object({ ok: z.boolean() }) }), g.run);
  const registry = new Map<string, TaskType>([...taskRegistry({ testing: true }), ['gate', gateTask as TaskType]]);
  // The database as the worker sees it, noting when each state change has been stored.
  const db = Object.create(dbs.main) as typeof dbs.main;
  db.query = (async (...args: Parameters<typeof dbs.main.query>) => {
    const result = await (dbs.main.query as (...a: unknown[]) => Promise<unknown>)(...args);
    const sql = String(args[0]);
    statements.push(sql);
    const state = /SET state = o\.state/.test(sql)
      ? `stored:${((args[1] as unknown[])[2] as string[]).join(',')}`
      : /attempts = 1, state = o\.state/.test(sql)
        ? `stored:${((args[1] as unknown[])[1] as string[]).join(',')}`
        : /SET state = 'queued'/.test(sql)
          ? 'stored:queued'
          : null;
    if (state) events.push(state);
    return result;
  }) as typeof db.query;
  const handler = taskHandler({
    db,
    amqp,
    registry,
    workerName: 'test:1',
    retryBaseMs: 10,
    randomUserServiceUrl: 'http://127.0.0.1:1/',
    deadLetter: recordDeadLetter(deadLetterer(amqp, silentLogger())),
    log: silentLogger(),
    now: Date.now,
  });
  await amqp.consume(amqp.names.tasks, 10, (message, channel) => {
    if (requeueNext) {
      requeueNext = false;
      return channel.nack(message, false, true);
    }
    const observed = Object.create(channel) as Channel;
    observed.ack = (m) => {
      channel.ack(m);
      events.push('ack');
      onEvent();
    };
    observed.nack = (m, allUpTo, requeue) => {
      channel.nack(m, allUpTo, requeue);
      events.push(requeue === false ? 'dead-letter' : 'requeue');
      onEvent();
    };
    handler.handle(message, observed);
  });
});

afterEach(async () => {
  gate.release();
  await amqp.close();
  await deleteTopology(amqp.names);
  await dbs.drop();
});

/** Records a dead-lettering as an event; the real one then publishes to tasks.dead and acks on the unobserved channel. */
function recordDeadLetter(real: DeadLetter): DeadLetter {
  return (message, channel, reason) => {
    events.push('dead-letter');
    deadReasons.push(reason);
    onEvent();
    real(message, Object.getPrototypeOf(channel) as Channel, reason);
  };
}

function settled(count: number): Promise<void> {
  const done = () => events.filter((e) => e === 'ack' || e === 'dead-letter' || e === 'requeue').length >= count;
  return new Promise((resolve) => {
    onEvent = () => done() && resolve();
    onEvent();
  });
}

async function submit(type: string, args: unknown, extra: { max_attempts?: number; timeout_ms?: number; flow_key?: string } = {}): Promise<string> {
  const id = newTimerId();
  await insertTask(dbs.main, {
    id,
    type,
    args,
    max_attempts: extra.max_attempts ?? 3,
    timeout_ms: extra.timeout_ms ?? 10_000,
    run_at: Date.now(),
    created_at: Date.now(),
    flow_key: extra.flow_key ?? null,
  });
  await deliver(id);
  return id;
}
const deliver = (id: string) => amqp.publish(amqp.names.tasks, Buffer.from(JSON.stringify({ id })), { messageId: id });

describe('the task handler', () => {
  it('moves a task queued -> running -> succeeded and stores the result before the ack', async () => {
    const id = await submit('gate', {});
    await gate.started;
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'running', attempts: 1, worker: 'test:1', result: null });
    gate.release();
    await settled(1);
    expect(events).toEqual(['stored:succeeded', 'ack']);
    const task = await findTask(dbs.main, id);
    expect(task).toMatchObject({ state: 'succeeded', result: { ok: true }, error: null, attempts: 1 });
    expect(task!.finished_at!.getTime()).toBeGreaterThanOrEqual(task!.started_at!.getTime());
  });

  it('computes a sum', async () => {
    const id = await submit('sum', { numbers: [1, 2, 3.5] });
    await settled(1);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'succeeded', result: 6.5 });
  });

  it('replies to a waiting submitter once the outcome is stored, with the task as committed', async () => {
    const replies = `${amqp.names.tasks}.test-replies`;
    const connection = await amqplib.connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(replies, { durable: false });
      const id = newTimerId();
      await insertTask(dbs.main, { id, type: 'sum', args: { numbers: [1, 2] }, max_attempts: 3, timeout_ms: 10_000, run_at: Date.now(), created_at: Date.now() });
      await amqp.publish(amqp.names.tasks, Buffer.from(JSON.stringify({ id })), { messageId: id, replyTo: replies, correlationId: id });
      const reply = taskReply.parse(JSON.parse((await nextMessage(replies)).body));
      expect(events).toContain('stored:succeeded');
      expect(reply).toEqual({ id, state: 'succeeded', task: await findTask(dbs.main, id) });
      expect(reply.task).toMatchObject({ state: 'succeeded', result: 3, attempts: 1, worker: 'test:1' });
      await channel.deleteQueue(replies);
    } finally {
      await connection.close();
    }
  });

  it("runs a pure task's first delivery before its claim, storing claim and outcome in one update", async () => {
    const id = newTimerId();
    await insertTask(dbs.main, { id, type: 'sum', args: { numbers: [1, 2] }, max_attempts: 3, timeout_ms: 10_000, run_at: Date.now(), created_at: Date.now() });
    await amqp.publish(amqp.names.tasks, encodeTaskMessage(id, { type: 'sum', args: { numbers: [1, 2] }, timeout_ms: 10_000 }), { messageId: id });
    await settled(1);
    expect(events).toEqual(['stored:succeeded', 'ack']);
    expect(statements.filter((sql) => /^\s*UPDATE/.test(sql))).toHaveLength(1);
    const task = await findTask(dbs.main, id);
    expect(task).toMatchObject({ state: 'succeeded', result: 3, attempts: 1, worker: 'test:1' });
    expect(task!.started_at).not.toBeNull();
  });

  it('leaves a pure task cancelled before its message arrives as it is, though it ran', async () => {
    const id = newTimerId();
    await insertTask(dbs.main, { id, type: 'sum', args: { numbers: [1, 2] }, max_attempts: 3, timeout_ms: 10_000, run_at: Date.now(), created_at: Date.now() });
    expect((await cancelTask(dbs.main, id)).kind).toBe('cancelled');
    await amqp.publish(amqp.names.tasks, encodeTaskMessage(id, { type: 'sum', args: { numbers: [1, 2] }, timeout_ms: 10_000 }), { messageId: id });
    await settled(1);
    expect(events.at(-1)).toBe('ack');
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'cancelled', attempts: 0, started_at: null, result: null });
  });

  it('claims a redelivered pure task before running it, so that a crash during its first run is counted', async () => {
    const id = newTimerId();
    await insertTask(dbs.main, { id, type: 'sum', args: { numbers: [1, 2] }, max_attempts: 3, timeout_ms: 10_000, run_at: Date.now(), created_at: Date.now() });
    requeueNext = true;
    await amqp.publish(amqp.names.tasks, encodeTaskMessage(id, { type: 'sum', args: { numbers: [1, 2] }, timeout_ms: 10_000 }), { messageId: id });
    await settled(1);
    expect(statements.some((sql) => /attempts = attempts \+ 1/.test(sql))).toBe(true);
    expect(events).toEqual(['stored:succeeded', 'ack']);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'succeeded', result: 3, attempts: 1 });
  });

  it('drops a redelivered finished task: nothing runs twice', async () => {
    const id = await submit('flaky', { failures: 0 });
    await settled(1);
    await deliver(id);
    await settled(2);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'succeeded', attempts: 1, result: { attempt: 1 } });
  });

  it('retries a failed attempt through a task timer, then succeeds', async () => {
    const id = await submit('flaky', { failures: 1 });
    await settled(1);
    expect(events).toEqual(['stored:queued', 'ack']);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'queued', attempts: 1, error: 'flaky failure on attempt 1' });
    // The retry is a timer for the trigger, whose url names the task.
    const timer = JSON.parse((await nextMessage(amqp.names.incomingTimers)).body) as { url: string };
    expect(timer.url).toBe(`task:${id}`);
    await deliver(id);
    await settled(2);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'succeeded', attempts: 2, result: { attempt: 2 }, error: null });
  });

  it("a task's retry waits on the task's flow-control key (task retries kept their key)", async () => {
    const id = await submit('flaky', { failures: 1 }, { flow_key: 'invoices' });
    await settled(1);
    const timer = JSON.parse((await nextMessage(amqp.names.incomingTimers)).body) as { url: string; flow_control?: { key: string } };
    expect(timer).toMatchObject({ url: `task:${id}`, flow_control: { key: 'invoices' } });
  });

  it('fails a task whose last attempt fails, and one that fails permanently', async () => {
    const flaky = await submit('flaky', { failures: 5 }, { max_attempts: 1 });
    const failing = await submit('fail', { message: 'no way' });
    await settled(2);
    expect(await findTask(dbs.main, flaky)).toMatchObject({ state: 'failed', attempts: 1, error: 'flaky failure on attempt 1' });
    expect(await findTask(dbs.main, failing)).toMatchObject({ state: 'failed', attempts: 1, error: 'no way' });
  });

  it('fails an attempt that outlives its timeout', async () => {
    const id = await submit('sleep', { ms: 60_000 }, { max_attempts: 1, timeout_ms: 200 });
    await settled(1);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'failed', error: 'timed out after 200 ms' });
  });

  it('dead-letters a task whose deliveries kept crashing their worker, and marks it failed', async () => {
    const id = newTimerId();
    // As a crash loop leaves it: both allowed deliveries started, neither finished.
    await insertTask(dbs.main, { id, type: 'crash', args: {}, max_attempts: 2, timeout_ms: 1_000, run_at: Date.now(), created_at: Date.now() });
    await dbs.main.query(`UPDATE tasks SET state = 'running', attempts = 2 WHERE id = $1`, [id]);
    await deliver(id);
    await settled(1);
    expect(events).toEqual(['dead-letter']);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'failed', attempts: 3 });
    expect((await findTask(dbs.main, id))!.error).toMatch(/^gave up: 2 deliveries did not finish/);
    const dead = await nextMessage(amqp.names.tasksDead);
    expect(JSON.parse(dead.body)).toEqual({ id });
    expect(dead.headers['x-dead-reason']).toMatch(/never finished a delivery in 2 attempts/);
  });

  it('never starts a task cancelled before its message arrives', async () => {
    const id = newTimerId();
    await insertTask(dbs.main, { id, type: 'gate', args: {}, max_attempts: 1, timeout_ms: 1_000, run_at: Date.now(), created_at: Date.now() });
    expect((await cancelTask(dbs.main, id)).kind).toBe('cancelled');
    await deliver(id);
    await settled(1);
    expect(events).toEqual(['ack']);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'cancelled', attempts: 0, started_at: null });
  });

  it('dead-letters an undecodable message', async () => {
    await amqp.publish(amqp.names.tasks, Buffer.from('nope'));
    await settled(1);
    expect(events).toEqual(['dead-letter']);
    expect((await nextMessage(amqp.names.tasksDead)).body).toBe('nope');
    expect(deadReasons).toEqual([expect.stringMatching(/^undecodable: /)]);
  });
});
