// A stand-in for https://randomuser.me/api/ on loopback: answers in its response format, or fails the
// ways it can (HTTP 500 with its {"error"} body, a body that is not JSON, no answer at all).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type UpstreamMode = 'ok' | 'error' | 'not-json' | 'hang';

export function randomUserAnswer(n: number) {
  return {
    results: [
      {
        gender: n % 2 ? 'female' : 'male',
        name: { title: 'Ms', first: `First${n}`, last: `Last${n}` },
        location: { street: { number: n, name: 'Main St' }, city: 'Springfield', state: 'Oregon', country: 'United States', postcode: 97477 },
        email: `user${n}@example.com`,
        login: { uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, username: `user${n}`, password: 'secret' },
        dob: { date: '1990-01-01T00:00:00.000Z', age: 36 },
        phone: `(555) 000-${String(n).padStart(4, '0')}`,
        cell: '(555) 111-2222',
        nat: 'US',
      },
    ],
    info: { seed: `seed${n}`, results: 1, page: 1, version: '1.4' },
  };
}

export class RandomUserUpstream {
  mode: UpstreamMode = 'ok';
  requests = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server = http.createServer((req, res) => {
    this.requests += 1;
    if (this.mode === 'hang') return;
    if (this.mode === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you.' }));
      return;
    }
    if (this.mode === 'not-json') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(randomUserAnswer(this.requests)));
  });

  constructor() {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening on a free loopback port; resolves with the API's URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
