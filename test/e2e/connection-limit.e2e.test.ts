// End to end through nginx: one client address may have only so many requests under way at once
// (limit_conn); the next one gets a JSON 429 with Retry-After, and a slot comes back when a request ends.
import net from 'node:net';
import { jest } from '@jest/globals';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { errorAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver({
  replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1 },
  clientLimits: { ratePerSecond: 10_000, burst: 10_000, connections: 2 },
});

/**
 * A request that stays under way: its headers announce a body that has not been sent yet, so nginx
 * holds it, reading. Resolves once nginx has the headers (it answers 100 Continue to Expect).
 */
async function heldRequest(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answer = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
  socket.write('POST /timer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 64\r\nExpect: 100-continue\r\n\r\n');
  // Let through and waiting for its body, not refused.
  expect(await answer).toMatch(/^HTTP\/1\.1 100 Continue/);
  return socket;
}

test('a third request while two are under way gets 429; once one ends, requests are served again', async () => {
  const port = Number(new URL(e2e.env.url).port);
  const held = [await heldRequest(port), await heldRequest(port)];
  try {
    const refused = await fetch(`${e2e.env.url}/health`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(errorAnswer.parse(await refused.json()).error).toBe('too_many_requests');

    const closed = new Promise<void>((resolve) => held[0]!.once('close', () => resolve()));
    held[0]!.destroy();
    await closed;
    // nginx notices the closed connection on its next read; the freed slot then serves the next request.
    let status = 429;
    while (status === 429) status = (await fetch(`${e2e.env.url}/health`)).status;
    expect(status).toBe(200);
  } finally {
    for (const socket of held) socket.destroy();
  }
});
