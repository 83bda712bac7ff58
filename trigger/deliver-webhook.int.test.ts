// Integration: one delivery attempt against real HTTP servers on loopback: how answers, large bodies,
// redirects, dropped connections, timeouts and a stopping trigger come out.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressPolicy, LOOPBACK_CIDRS } from '../common/webhooks/callback-address.js';
import { createAgents, deliverWebhook, Interrupts, type Agents } from './deliver-webhook.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

let server: http.Server;
let agents: Agents;
let base: string;
let handler: Handler;
let requests = 0;
const hanging: http.ServerResponse[] = [];

beforeEach(async () => {
  requests = 0;
  server = http.createServer((req, res) => {
    requests += 1;
    const n = requests;
    req.resume();
    req.on('end', () => handler(req, res, n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agents = createAgents(4, new AddressPolicy(LOOPBACK_CIDRS));
});

afterEach(async () => {
  for (const res of hanging.splice(0)) res.destroy();
  await agents.agent.close().catch(() => undefined);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const webhook = (path = '/hook') => ({ url: `${base}${path}`, method: 'POST' as const, headers: {}, body: '{"id":"t-1"}' });

test('a 2xx is delivered; the status is kept', async () => {
  handler = (_req, res) => res.writeHead(204).end();
  expect(await deliverWebhook(webhook(), 't-1', agents, 5_000)).toMatchObject({ delivered: true, status: 204, error: null, retryAfterMs: null, refused: false });
});

test("the answer's headers and the first bytes of its body asked for are kept; all bytes read are counted", async () => {
  handler = (_req, res) => res.writeHead(201, { 'content-type': 'text/plain', 'x-job': 'j-7' }).end('accepted: job j-7');
  const { answer } = await deliverWebhook(webhook(), 't-1', agents, 5_000, undefined, 8);
  expect(answer).toMatchObject({ status: 201, bytes: 17, headers: { 'content-type': 'text/plain', 'x-job': 'j-7' } });
  expect(answer!.body.toString()).toBe('accepted');
});

test('an answer over 64 KiB keeps the bytes asked for, and is counted as read up to where it was cut', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.alloc(1024 * 1024, 'y'));
  };
  const { answer } = await deliverWebhook(webhook(), 't-1', agents, 5_000, undefined, 64 * 1024);
  expect(answer!.body).toEqual(Buffer.alloc(64 * 1024, 'y'));
  expect(answer!.bytes).toBeGreaterThan(64 * 1024);
});

test('an answer with a body over 64 KiB counts by its status, and the pool goes on working after it', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.alloc(1024 * 1024, 'x'));
  };
  const result = await deliverWebhook(webhook(), 't-1', agents, 5_000);
  expect(result).toMatchObject({ delivered: true, status: 200 });
  // The pool goes on working after the connection it closed.
  handler = (_req, res) => res.writeHead(200).end('ok');
  expect(await deliverWebhook(webhook(), 't-1', agents, 5_000)).toMatchObject({ delivered: true, status: 200 });
});

test('a redirect is not followed: the attempt fails with its status', async () => {
  handler = (_req, res) => res.writeHead(302, { location: `${base}/elsewhere` }).end();
  expect(await deliverWebhook(webhook(), 't-1', agents, 5_000)).toMatchObject({ delivered: false, status: 302, error: 'HTTP 302', retryAfterMs: null, refused: false });
  expect(requests).toBe(1);
});

test("a 503's Retry-After in seconds is kept for the retry", async () => {
  handler = (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end();
  expect(await deliverWebhook(webhook(), 't-1', agents, 5_000)).toMatchObject({ delivered: false, status: 503, error: 'HTTP 503', retryAfterMs: 7_000, refused: false });
});

test('a connection dropped without an answer is tried once more on a fresh one', async () => {
  handler = (req, res, n) => (n === 1 ? req.socket.destroy() : res.writeHead(200).end('ok'));
  expect(await deliverWebhook(webhook(), 't-1', agents, 5_000)).toMatchObject({ delivered: true, status: 200 });
  expect(requests).toBe(2);
});

test("nothing listening: the network error is the attempt's error", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  expect(await deliverWebhook({ ...webhook(), url: `http://127.0.0.1:${port}/hook` }, 't-1', agents, 5_000)).toEqual({
    delivered: false,
    status: null,
    error: 'ECONNREFUSED',
    retryAfterMs: null,
    refused: false,
  });
});

test('an answer that never comes ends at the timeout', async () => {
  handler = (_req, res) => hanging.push(res);
  expect(await deliverWebhook(webhook(), 't-1', agents, 200)).toEqual({ delivered: false, status: null, error: 'timed out after 200 ms', retryAfterMs: null, refused: false });
});

test('a request still waiting for a connection of a full pool ends at its timeout too', async () => {
  const small = createAgents(1, new AddressPolicy(LOOPBACK_CIDRS));
  try {
    handler = (_req, res) => hanging.push(res);
    const first = deliverWebhook(webhook(), 't-1', small, 2_000);
    const queued = await deliverWebhook(webhook(), 't-2', small, 200);
    expect(queued).toMatchObject({ delivered: false, error: 'timed out after 200 ms' });
    expect(requests).toBe(1);
    expect((await first).error).toBe('timed out after 2000 ms');
  } finally {
    await small.agent.destroy();
  }
});

test('a stopping trigger cuts its deliveries short, and one that starts after the stop at once', async () => {
  handler = (_req, res) => hanging.push(res);
  const interrupts = new Interrupts();
  const under = deliverWebhook(webhook(), 't-1', agents, 10_000, interrupts);
  while (requests === 0) await new Promise((resolve) => setImmediate(resolve));
  interrupts.abortAll();
  const cut = { delivered: false, status: null, error: 'interrupted: the trigger stopped', retryAfterMs: null, refused: false, interrupted: true };
  expect(await under).toEqual(cut);
  expect(await deliverWebhook(webhook(), 't-2', agents, 10_000, interrupts)).toEqual(cut);
});
