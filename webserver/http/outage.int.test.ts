// Integration: the webserver while the broker or the main database is unreachable answers 503 with a
// JSON body naming what is down, quickly, and never 5xx otherwise.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AmqpClient } from '../../common/broker/amqp.js';
import { createPool, type Pool } from '../../common/db/pool.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { createApp } from '../app.js';
import { appDeps } from '../../test/helpers/app-deps.js';

let server: Server;
let base: string;
let amqp: AmqpClient;
let mainDb: Pool;

beforeAll(async () => {
  const log = silentLogger();
  // Nothing listens on port 1: both dependencies are down for the whole file.
  amqp = new AmqpClient('amqp://guest:guest@127.0.0.1:1', queueNames('outage.'), log);
  await amqp.start();
  mainDb = createPool('postgres://postgres@127.0.0.1:1/timer_main', 'timer-test', 2, log);
  const app = createApp(appDeps({ amqp, mainDb, log }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await amqp.close();
  await mainDb.end();
});

test('POST /timer with the broker down: 503 naming the broker, with Retry-After', async () => {
  const res = await fetch(`${base}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 1, url: 'http://example.com/' }) });
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('1');
  expect(await res.json()).toMatchObject({ error: 'service_unavailable', dependency: 'broker' });
});

test('bad input is still a 422, not a 503, while the broker is down', async () => {
  const res = await fetch(`${base}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: -1 }) });
  expect(res.status).toBe(422);
});

test('GET /timer/{id} with the database down: 503 naming the database', async () => {
  const res = await fetch(`${base}/timer/${newTimerId()}`);
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ error: 'service_unavailable', dependency: 'database' });
});

test('the flow-control routes with the database down: 503 naming the database', async () => {
  for (const [method, path, body] of [
    ['GET', '/flow-control/emails', undefined],
    ['GET', '/flow-control', undefined],
    ['PUT', '/flow-control/emails', { rate: 5 }],
    ['POST', '/flow-control/emails/pause', undefined],
  ] as const) {
    const res = await fetch(`${base}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'service_unavailable', dependency: 'database' });
  }
});

test('GET /ready says which dependency is down; GET /health stays 200', async () => {
  const ready = await fetch(`${base}/ready`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'unavailable', broker: 'down', database: 'down' });
  expect((await fetch(`${base}/health`)).status).toBe(200);
});
