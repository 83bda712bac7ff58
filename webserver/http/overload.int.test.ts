// Integration: under more load than it can take the webserver sheds instead of growing without limit:
// a full incoming_timers queue answers 503 queue_full at the door, and requests beyond the in-flight
// limit get 503 overloaded at once while the health check still answers. Real RabbitMQ and PostgreSQL.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { AmqpClient } from '../../common/broker/amqp.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, purgeQueue, readyCount } from '../../test/helpers/broker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { createApp } from '../app.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { QueueDepthGuard } from '../timers/queue-guard.js';

const MAX_QUEUED = 3;
const MAX_IN_FLIGHT = 2;

let dbs: TestDatabases;
let amqp: AmqpClient;
let guard: QueueDepthGuard;
let server: Server;
let base: string;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker();
  const log = silentLogger();
  guard = new QueueDepthGuard(amqp, amqp.names.incomingTimers, MAX_QUEUED, log);
  const app = createApp(appDeps({ amqp, mainDb: dbs.main, shards: dbs.shards, log, readYourWritesWaitMs: 3_000, incomingQueue: guard, maxInFlight: MAX_IN_FLIGHT }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await amqp.close();
  await deleteTopology(amqp.names);
  await dbs.drop();
});

const postTimer = () => fetch(`${base}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ minutes: 5, url: 'http://127.0.0.1:9/hook' }) });

test('a full incoming queue answers 503 queue_full with Retry-After, and accepts again once drained', async () => {
  // No consumer runs here: every accepted timer stays in the queue.
  for (let i = 0; i < MAX_QUEUED; i++) expect((await postTimer()).status).toBe(201);
  await guard.refresh();
  const refused = await postTimer();
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(await refused.json()).toMatchObject({ error: 'queue_full', dependency: 'broker' });
  expect(await readyCount(amqp.names.incomingTimers)).toBe(MAX_QUEUED);

  await purgeQueue(amqp.names.incomingTimers);
  await guard.refresh();
  expect((await postTimer()).status).toBe(201);
});

test('beyond the in-flight limit a request gets 503 overloaded at once; health still answers', async () => {
  // GETs of a just-issued id that is nowhere wait for it (read-your-writes): they hold their slots.
  const held = Array.from({ length: MAX_IN_FLIGHT }, () => fetch(`${base}/timer/${newTimerId()}`));
  const order: string[] = [];
  void Promise.all(held).then(() => order.push('held requests answered'));
  // Both held requests are in flight once a third one is refused.
  let shed: Response;
  do {
    shed = await fetch(`${base}/timers`);
  } while (shed.status !== 503);
  order.push('shed');
  expect(shed.headers.get('retry-after')).toBe('1');
  expect(await shed.json()).toMatchObject({ error: 'overloaded' });
  expect((await fetch(`${base}/health`)).status).toBe(200);
  order.push('health answered');
  const answers = await Promise.all(held);
  expect(answers.map((a) => a.status)).toEqual([404, 404]);
  expect(order).toEqual(['shed', 'health answered', 'held requests answered']);
  expect((await fetch(`${base}/timers`)).status).toBe(200);
});
