// End to end at the edge: what nginx refuses itself (an oversized body, an over-long URI, a malformed
// request, oversized headers) is answered in JSON like the API's errors, the webservers' own JSON
// errors pass through nginx unchanged, and a webserver reached without nginx listens on loopback only
// and gives a trickled body no more time than its body timeout.
import net from 'node:net';
import { jest } from '@jest/globals';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { errorAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

const BODY_TIMEOUT_MS = 500;

const e2e = useStackWithReceiver({
  replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1 },
  env: { HTTP_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS) },
});

/** Sends raw bytes (then `trickle` every 20 ms, if given) and collects the answer until the server closes the connection. */
function rawExchange(port: number, host: string, bytes: string, trickle?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let text = '';
    let dribble: NodeJS.Timeout | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('error', reject);
    socket.once('end', () => {
      clearInterval(dribble);
      socket.end();
    });
    socket.once('close', () => {
      clearInterval(dribble);
      resolve(text);
    });
    socket.write(bytes);
    if (trickle !== undefined) dribble = setInterval(() => socket.writable && socket.write(trickle), 20);
  });
}

function parsed(answer: string): { status: number; type: string | undefined; body: unknown } {
  const split = answer.indexOf('\r\n\r\n');
  const head = answer.slice(0, split);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    type: /^content-type: ([^\r]*)/im.exec(head)?.[1],
    body: errorAnswer.parse(JSON.parse(answer.slice(split + 4))),
  };
}

describe('nginx answers its own refusals in JSON', () => {
  test('a body over the size limit: 413 body_too_large', async () => {
    const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(200_000) });
    expect({ status: res.status, type: res.headers.get('content-type'), body: errorAnswer.parse(await res.json()).error }).toEqual({
      status: 413,
      type: 'application/json',
      body: 'body_too_large',
    });
  });

  test('a URI longer than nginx reads: 414 uri_too_long', async () => {
    const res = await fetch(`${e2e.env.url}/timer/${'a'.repeat(20_000)}`);
    expect({ status: res.status, type: res.headers.get('content-type'), body: errorAnswer.parse(await res.json()).error }).toEqual({
      status: 414,
      type: 'application/json',
      body: 'uri_too_long',
    });
  });

  test('a request that is not HTTP: 400 bad_request', async () => {
    const port = Number(new URL(e2e.env.url).port);
    const answer = parsed(await rawExchange(port, '127.0.0.1', 'NOT HTTP AT ALL\r\n\r\n'));
    expect(answer).toEqual({ status: 400, type: 'application/json', body: { error: 'bad_request', message: 'the request could not be parsed as HTTP' } });
  });

  test('a request without the Host header HTTP/1.1 requires: 400 bad_request', async () => {
    const port = Number(new URL(e2e.env.url).port);
    const answer = parsed(await rawExchange(port, '127.0.0.1', 'GET /health HTTP/1.1\r\n\r\n'));
    expect(answer).toMatchObject({ status: 400, type: 'application/json', body: { error: 'bad_request' } });
  });

  test('headers larger than nginx reads: 400 headers_too_large', async () => {
    const res = await fetch(`${e2e.env.url}/health`, { headers: { 'x-padding': 'a'.repeat(20_000) } });
    expect({ status: res.status, type: res.headers.get('content-type'), body: errorAnswer.parse(await res.json()).error }).toEqual({
      status: 400,
      type: 'application/json',
      body: 'headers_too_large',
    });
  });

  test("the webserver's own JSON errors pass through nginx unchanged", async () => {
    const res = await fetch(`${e2e.env.url}/no-such-route`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 404, body: { error: 'not_found', message: 'no route for GET /no-such-route' } });
    const malformed = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seconds": 1,' });
    expect({ status: malformed.status, body: errorAnswer.parse(await malformed.json()).error }).toEqual({ status: 400, body: 'malformed_json' });
  });
});

describe('a webserver reached without nginx', () => {
  const webserverPort = () => e2e.env.stack.options.webserverPorts![0]!;

  test('listens on 127.0.0.1 only (HTTP_HOST): another address of this machine is refused', async () => {
    const refusal = await new Promise<string>((resolve) => {
      const socket = net.connect(webserverPort(), '127.0.0.2');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refusal).toBe('ECONNREFUSED');
    expect((await fetch(`http://127.0.0.1:${webserverPort()}/health`)).status).toBe(200);
  });

  test('a body trickled past HTTP_BODY_TIMEOUT_MS is answered 408 request_timeout and the connection closed', async () => {
    const head = 'POST /timer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"url":"';
    const answer = parsed(await rawExchange(webserverPort(), '127.0.0.1', head, 'a'));
    expect(answer).toEqual({
      status: 408,
      type: 'application/json',
      body: { error: 'request_timeout', message: `the request body did not arrive within ${BODY_TIMEOUT_MS} ms` },
    });
  });
});
