// A webhook receiver on loopback for tests: records every request with its arrival time, answers
// with a chosen status, and lets a test await a number of arrivals instead of sleeping.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  id: string;
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export class WebhookReceiver {
  readonly arrivals: Arrival[] = [];
  status = 200;
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const at = Date.now();
      let id = '';
      try {
        id = (JSON.parse(body) as { id?: string }).id ?? '';
      } catch {
        // recorded with an empty id; the test will see it
      }
      this.arrivals.push({ id, path: req.url ?? '', method: req.method ?? '', headers: req.headers, body, at });
      res.statusCode = this.status;
      res.end('ok');
      this.waiters = this.waiters.filter((w) => {
        if (this.arrivals.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived in all; rejects after timeoutMs with what did arrive. */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    if (this.arrivals.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} webhooks, got ${this.arrivals.length} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** How many times each timer id arrived. */
  countsById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.arrivals) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
    return counts;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
