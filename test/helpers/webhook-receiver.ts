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

/** How the receiver answers one request: a status (and headers, and a body: "ok" unless given), or 'hang' to never answer. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string | Buffer; /** answer this much later */ delayMs?: number } | 'hang';

export class WebhookReceiver {
  readonly arrivals: Arrival[] = [];
  status = 200;
  /** when set, decides each answer; otherwise every request gets `status` */
  answer: ((arrival: Arrival) => Answer) | null = null;
  private readonly hanging: http.ServerResponse[] = [];
  /** requests not yet answered, and the most there ever were at once, per path */
  private readonly open = new Map<string, number>();
  readonly mostAtOnce = new Map<string, number>();
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
      const arrival = { id, path: req.url ?? '', method: req.method ?? '', headers: req.headers, body, at };
      this.arrivals.push(arrival);
      const answer = this.answer ? this.answer(arrival) : { status: this.status };
      const path = arrival.path;
      this.open.set(path, (this.open.get(path) ?? 0) + 1);
      this.mostAtOnce.set(path, Math.max(this.mostAtOnce.get(path) ?? 0, this.open.get(path)!));
      res.on('close', () => this.open.set(path, this.open.get(path)! - 1));
      if (answer === 'hang') this.hanging.push(res);
      else if (answer.delayMs) setTimeout(() => res.writeHead(answer.status, answer.headers).end(answer.body ?? 'ok'), answer.delayMs);
      else res.writeHead(answer.status, answer.headers).end(answer.body ?? 'ok');
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

  /** Requests held open by a 'hang' answer and not yet given up by their sender. */
  get hangingCount(): number {
    return this.hanging.filter((res) => !res.writableEnded && !(res.socket?.destroyed ?? true)).length;
  }

  /** Answers every request held open by 'hang' now; how many there were. */
  answerHanging(status: number, headers: Record<string, string> = {}, body = 'ok'): number {
    const open = this.hanging.splice(0).filter((res) => !res.writableEnded && !(res.socket?.destroyed ?? true));
    for (const res of open) res.writeHead(status, headers).end(body);
    return open.length;
  }

  /** The senders' ports of the requests held open by 'hang' (to find the processes that sent them). */
  hangingPorts(): number[] {
    return this.hanging.filter((res) => !res.writableEnded && !(res.socket?.destroyed ?? true)).map((res) => res.socket!.remotePort!);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
