// The servers' own edge, reached without nginx: deadlines on headers and bodies answered 408 in JSON,
// malformed requests 400 in JSON, and a listener bound to one address only reachable there.
import express from 'express';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpServer, httpTimeouts, listen, type HttpTimeouts } from './create-http-server.js';
import { expressServer } from './express-server.js';
import { loadConfig } from '../process/config.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A webserver-like app (a JSON body read by express.json()) served as the processes serve it. */
async function jsonServer(timeouts: Partial<HttpTimeouts>): Promise<number> {
  const app = express();
  app.post('/timer', express.json(), (req, res) => {
    res.status(201).json({ got: req.body });
  });
  const server = expressServer(app, { ...httpTimeouts(loadConfig({})), ...timeouts });
  servers.push(server);
  await listen(server, 0, '127.0.0.1');
  return (server.address() as AddressInfo).port;
}

/** Everything the server sends on the connection until it closes it. */
function answerOf(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

function parse(answer: string): { status: number; type: string | undefined; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n') as [string, string];
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const type = /^content-type: (.*)$/im.exec(head)?.[1];
  return { status, type, body: JSON.parse(body) };
}

test('a body trickled for longer than the body timeout is answered 408 in JSON and its connection closed', async () => {
  const port = await jsonServer({ bodyMs: 300 });
  const socket = connect(port, '127.0.0.1');
  const answer = answerOf(socket);
  socket.write('POST /timer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{"a":"');
  // One byte at a time, each well within any pause a per-read timeout would allow, until the server answers.
  const trickle = setInterval(() => socket.writable && socket.write('x'), 20);
  socket.once('end', () => {
    clearInterval(trickle);
    socket.end();
  });
  try {
    expect(parse(await answer)).toEqual({
      status: 408,
      type: 'application/json',
      body: { error: 'request_timeout', message: 'the request body did not arrive within 300 ms' },
    });
  } finally {
    clearInterval(trickle);
  }
});

test('a body that arrives within the body timeout is served', async () => {
  const port = await jsonServer({ bodyMs: 60_000 });
  const res = await fetch(`http://127.0.0.1:${port}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seconds":1}' });
  expect({ status: res.status, body: await res.json() }).toEqual({ status: 201, body: { got: { seconds: 1 } } });
});

test('headers not finished within the headers timeout are answered 408 in JSON', async () => {
  const port = await jsonServer({ headersMs: 1_000, requestMs: 1_000 });
  const socket = connect(port, '127.0.0.1');
  const answer = answerOf(socket);
  socket.write('GET /timer HTTP/1.1\r\nhost: x\r\n');
  socket.once('end', () => socket.end());
  expect(parse(await answer)).toEqual({ status: 408, type: 'application/json', body: { error: 'request_timeout', message: 'the request did not arrive in time' } });
});

test('a malformed request is answered 400 in JSON', async () => {
  const port = await jsonServer({});
  const socket = connect(port, '127.0.0.1');
  const answer = answerOf(socket);
  socket.write('NOT HTTP AT ALL\r\n\r\n');
  socket.once('end', () => socket.end());
  expect(parse(await answer)).toEqual({ status: 400, type: 'application/json', body: { error: 'bad_request', message: 'the request could not be parsed as HTTP/1.1' } });
});

test('keeps idle connections for the configured keep-alive timeout', async () => {
  const server = createHttpServer({}, (_req, res) => res.end(), { ...httpTimeouts(loadConfig({})), keepAliveMs: 65_000 });
  servers.push(server);
  expect(server.keepAliveTimeout).toBe(65_000);
});

test('a server bound to 127.0.0.1 is reachable there and on no other address of this machine', async () => {
  const server = createHttpServer({}, (_req, res) => res.end('ok'), httpTimeouts(loadConfig({})));
  servers.push(server);
  await listen(server, 0, loadConfig({}).HTTP_HOST);
  const { address, port } = server.address() as AddressInfo;
  expect(address).toBe('127.0.0.1');
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
  // Linux routes all of 127/8 to loopback: 127.0.0.2 is always another address of this machine.
  const others = [
    '127.0.0.2',
    ...Object.values(networkInterfaces())
      .flat()
      .filter((nic) => nic !== undefined && !nic.internal && nic.family === 'IPv4')
      .map((nic) => nic!.address),
  ];
  const outcomes = await Promise.all(
    others.map(
      (other) =>
        new Promise<string>((resolve) => {
          const socket = connect(port, other);
          socket.once('connect', () => {
            socket.destroy();
            resolve(`${other}: connected`);
          });
          socket.once('error', (err: NodeJS.ErrnoException) => resolve(`${other}: ${err.code}`));
        }),
    ),
  );
  expect(outcomes).toEqual(others.map((other) => `${other}: ECONNREFUSED`));
});
