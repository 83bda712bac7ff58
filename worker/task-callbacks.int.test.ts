// Integration: a finished task's outcome told to the URLs it names, on real RabbitMQ and PostgreSQL. The
// worker's task handler runs in this process; a delivery is over when its message is settled, and the
// callbacks it made are then on incoming_timers (they are published before the ack), so the test reads
// that queue instead of waiting for time to pass.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Channel } from 'amqplib';
import type { AmqpClient } from '../common/broker/amqp.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { incomingTimerMessage, type IncomingTimer } from '../common/messages/timer-message.js';
import { encodeTaskMessage } from '../common/messages/task-message.js';
import { findTask, insertTask, retryTask, type NewTask } from '../common/store/tasks.js';
import { callbackId } from '../common/webhooks/callbacks.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { testTaskHandler } from '../test/helpers/task-worker.js';
import { publishTasks } from '../common/tasks/release-held-tasks.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, nextMessage, takeAll } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';

let dbs: TestDatabases;
let amqp: AmqpClient;
/** settlements so far (ack or dead-letter), and a wake-up for whoever waits for the next */
let settlements: string[];
let onSettle: () => void;

const DONE = 'http://127.0.0.1:1/done';
const RESULT = 'http://127.0.0.1:1/result';
const FAILED = 'http://127.0.0.1:1/failed';

beforeEach(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker();
  settlements = [];
  onSettle = () => undefined;
  const log = silentLogger();
  const real = deadLetterer(amqp, log);
  const handler = testTaskHandler({
    db: dbs.main,
    amqp,
    log,
    // The real one publishes to tasks.dead and acks on the unobserved channel.
    deadLetter: (message, channel, reason) => {
      real(message, Object.getPrototypeOf(channel) as Channel, reason);
      settlements.push('dead-letter');
      onSettle();
    },
  });
  await amqp.consume(amqp.names.tasks, 10, (message, channel) => {
    const observed = Object.create(channel) as Channel;
    observed.ack = (m) => {
      channel.ack(m);
      settlements.push('ack');
      onSettle();
    };
    handler.handle(message, observed);
  });
});

afterEach(async () => {
  await amqp.close();
  await deleteTopology(amqp.names);
  await dbs.drop();
});

function settled(count: number): Promise<void> {
  return new Promise((resolve) => {
    onSettle = () => settlements.length >= count && resolve();
    onSettle();
  });
}

type Urls = Pick<NewTask, 'result_url' | 'callback_url' | 'failure_callback_url'>;

async function insert(type: string, args: unknown, urls: Urls, maxAttempts = 3): Promise<string> {
  const id = newTimerId();
  await insertTask(dbs.main, { id, type, args, max_attempts: maxAttempts, timeout_ms: 10_000, run_at: Date.now(), created_at: Date.now(), ...urls });
  return id;
}
const deliver = (id: string) => amqp.publish(amqp.names.tasks, encodeTaskMessage(id), { messageId: id });

/** The callback timers published so far, each checked against the schema the consumer decodes them with. */
async function published(): Promise<IncomingTimer[]> {
  const messages = (await takeAll(amqp.names.incomingTimers)).map((content) => JSON.parse(content.toString('utf8')) as unknown);
  return messages.map((message) => {
    const parsed = incomingTimerMessage.parse(message);
    // Nothing of the message is lost to the consumer's schema.
    expect(parsed).toEqual(message);
    return parsed;
  });
}

const byUrl = (timers: IncomingTimer[]) => [...timers].sort((a, b) => a.url.localeCompare(b.url));

describe("a finished task's callbacks", () => {
  it('a success tells result_url and callback_url, with the result, as timers of the task', async () => {
    const id = await insert('sum', { numbers: [1, 2] }, { result_url: RESULT, callback_url: DONE, failure_callback_url: FAILED });
    await deliver(id);
    await settled(1);
    const task = (await findTask(dbs.main, id))!;
    const timers = byUrl(await published());
    expect(timers.map((t) => t.url)).toEqual([DONE, RESULT]);
    expect(timers.map((t) => t.id)).toEqual([callbackId(id, 1, 'succeeded', 'callback_url'), callbackId(id, 1, 'succeeded', 'result_url')]);
    for (const timer of timers) {
      expect(timer).toMatchObject({ callback_of: id, callback_outcome: 'succeeded' });
      expect(timer.fire_at).toBe(timer.created_at);
      expect(JSON.parse(timer.body!)).toEqual({
        type: 'task.succeeded',
        task_id: id,
        task_type: 'sum',
        state: 'succeeded',
        result: 3,
        error: null,
        attempts: 1,
        created_at: task.created_at.toISOString(),
        started_at: task.started_at!.toISOString(),
        finished_at: task.finished_at!.toISOString(),
      });
    }
  });

  it('a permanent failure tells result_url and failure_callback_url, with the error', async () => {
    const id = await insert('fail', { message: 'no way' }, { result_url: RESULT, callback_url: DONE, failure_callback_url: FAILED });
    await deliver(id);
    await settled(1);
    const timers = byUrl(await published());
    expect(timers.map((t) => [t.url, t.id])).toEqual([
      [FAILED, callbackId(id, 1, 'failed', 'failure_callback_url')],
      [RESULT, callbackId(id, 1, 'failed', 'result_url')],
    ]);
    expect(JSON.parse(timers[0]!.body!)).toMatchObject({ type: 'task.failed', task_id: id, task_type: 'fail', state: 'failed', result: null, error: 'no way', attempts: 1 });
    expect(timers[0]).toMatchObject({ callback_of: id, callback_outcome: 'failed' });
  });

  it('callback_url is told only of a success, failure_callback_url only of a failure', async () => {
    const succeeds = await insert('sum', { numbers: [1] }, { failure_callback_url: FAILED });
    const fails = await insert('fail', { message: 'no' }, { callback_url: DONE });
    await Promise.all([deliver(succeeds), deliver(fails)]);
    await settled(2);
    expect(await published()).toEqual([]);
  });

  it('a task whose last attempt fails tells its failure; one that fails and will be retried tells nothing yet', async () => {
    const last = await insert('flaky', { failures: 5 }, { failure_callback_url: FAILED }, 1);
    await deliver(last);
    await settled(1);
    const [told, ...others] = await published();
    expect(others).toEqual([]);
    expect(told).toMatchObject({ id: callbackId(last, 1, 'failed', 'failure_callback_url'), url: FAILED });
    expect(JSON.parse(told!.body!)).toMatchObject({ error: 'flaky failure on attempt 1', attempts: 1 });

    const retried = await insert('flaky', { failures: 1 }, { failure_callback_url: FAILED, callback_url: DONE }, 3);
    await deliver(retried);
    await settled(2);
    // Only the retry's own timer (url task:<id>): the task is not finished.
    expect((await published()).map((t) => t.url)).toEqual([`task:${retried}`]);
  });

  it('a pure task run before its claim tells its outcome', async () => {
    const id = await insert('sum', { numbers: [2, 2] }, { result_url: RESULT });
    await amqp.publish(amqp.names.tasks, encodeTaskMessage(id, { type: 'sum', args: { numbers: [2, 2] }, timeout_ms: 10_000 }), { messageId: id });
    await settled(1);
    const timers = await published();
    expect(timers.map((t) => t.id)).toEqual([callbackId(id, 1, 'succeeded', 'result_url')]);
    expect(JSON.parse(timers[0]!.body!)).toMatchObject({ result: 4, attempts: 1 });
  });

  it('a task whose deliveries kept ending their worker is dead-lettered and tells its failure', async () => {
    const id = await insert('crash', {}, { result_url: RESULT }, 2);
    // As a crash loop leaves it: both allowed deliveries started, neither finished.
    await dbs.main.query(`UPDATE tasks SET state = 'running', attempts = 2 WHERE id = $1`, [id]);
    await deliver(id);
    await settled(1);
    expect(settlements).toEqual(['dead-letter']);
    const timers = await published();
    expect(timers.map((t) => t.id)).toEqual([callbackId(id, 1, 'failed', 'result_url')]);
    expect(JSON.parse(timers[0]!.body!)).toMatchObject({ type: 'task.failed', error: expect.stringMatching(/^gave up: 2 deliveries/), attempts: 3 });
    expect(JSON.parse((await nextMessage(amqp.names.tasksDead)).body)).toEqual({ id });
  });

  it('a redelivered message of a finished task tells its outcome again, with the same callback', async () => {
    const id = await insert('sum', { numbers: [1, 2] }, { result_url: RESULT });
    await deliver(id);
    await settled(1);
    const first = await published();
    // As if the worker had stopped after storing the outcome, before its callbacks reached the broker.
    await deliver(id);
    await settled(2);
    const again = await published();
    expect(again).toHaveLength(1);
    expect(again[0]!.id).toBe(first[0]!.id);
    expect(again[0]!.body).toBe(first[0]!.body);
    expect(await findTask(dbs.main, id)).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it("a retried task's new outcome makes callbacks of its own", async () => {
    const id = await insert('fail', { message: 'no way' }, { result_url: RESULT });
    await deliver(id);
    await settled(1);
    const [first] = await published();
    expect(first!.id).toBe(callbackId(id, 1, 'failed', 'result_url'));
    expect((await retryTask(dbs.main, id, () => publishTasks(amqp, [id]))).kind).toBe('retried');
    await settled(2);
    const [second, ...others] = await published();
    expect(others).toEqual([]);
    expect(second!.id).toBe(callbackId(id, 2, 'failed', 'result_url'));
    expect(JSON.parse(second!.body!)).toMatchObject({ attempts: 1, error: 'no way' });
  });

  it('a task without callback URLs publishes nothing, finished or redelivered', async () => {
    const succeeds = await insert('sum', { numbers: [1] }, {});
    const fails = await insert('fail', { message: 'no' }, {});
    await Promise.all([deliver(succeeds), deliver(fails)]);
    await settled(2);
    await Promise.all([deliver(succeeds), deliver(fails)]);
    await settled(4);
    expect(await published()).toEqual([]);
  });
});
