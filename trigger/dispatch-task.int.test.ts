// Integration: a due timer whose url is task:<id> (a delayed task) goes to the tasks queue, not to a URL.
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import type { AmqpClient } from '../common/broker/amqp.js';
import { encodeMessage } from '../common/messages/timer-message.js';
import { newTimerId } from '../common/messages/timer-id.js';
import { taskTarget } from '../common/tasks/task-timer.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, nextMessage } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { createAgents } from './deliver-webhook.js';
import { dueTimerHandler } from './handle-due.js';
import { HostLimiter } from './host-limiter.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { AddressPolicy } from '../common/webhooks/callback-address.js';

let dbs: TestDatabases;
let amqp: AmqpClient;
let agents: ReturnType<typeof createAgents>;
let due: ReturnType<typeof dueTimerHandler>;

beforeEach(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker();
  agents = createAgents(4, new AddressPolicy());
  due = dueTimerHandler({
    main: dbs.main,
    shards: dbs.shards,
    agents,
    amqp,
    log: silentLogger(),
    now: Date.now,
    hosts: new HostLimiter({ concurrency: 16, ratePerSecond: 0, maxWaiting: 16, stallMs: 1_000 }),
    delivery: { maxAttempts: 3, backoffMs: 1_000, maxBackoffMs: 10_000, timeoutMs: 2_000 },
    deadLetter: deadLetterer(amqp, silentLogger()),
  });
  await amqp.consume(amqp.names.timersToFire, 10, due.handle);
});

afterEach(async () => {
  due.stop();
  await amqp.close();
  await deleteTopology(amqp.names);
  await agents.destroy();
  await dbs.drop();
});

it('publishes the task to the tasks queue and records the timer delivered', async () => {
  const taskId = newTimerId();
  const timer = { id: newTimerId(), url: taskTarget(taskId), fire_at: Date.now() };
  await dbs.main.query('INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, $2, to_timestamp($3 / 1000.0), now())', [timer.id, timer.url, timer.fire_at]);
  await amqp.publish(amqp.names.timersToFire, encodeMessage(timer), { messageId: timer.id });
  expect(JSON.parse((await nextMessage(amqp.names.tasks)).body)).toEqual({ id: taskId });
  let row = (await dbs.main.query('SELECT state, task_id FROM timers WHERE id = $1', [timer.id])).rows[0];
  while (row.state === 'firing') row = (await dbs.main.query('SELECT state, task_id FROM timers WHERE id = $1', [timer.id])).rows[0];
  expect(row).toEqual({ state: 'delivered', task_id: taskId });
});
