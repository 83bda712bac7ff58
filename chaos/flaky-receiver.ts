// The chaos run's webhook receiver: fails a share of requests with 500, lets another share hang past
// the trigger's timeout, answers the rest 200, and records per idempotency key when the first request
// came and how many were answered 2xx (more than one is a duplicate delivery), and counts the 500s and
// hangs it injected.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceiverRecord {
  firstArrival: number;
  firstDelivered: number | null;
  delivered: number;
  requests: number;
}

export interface FlakyBehaviour {
  /** share of requests answered 500 */
  failShare: number;
  /** share of requests held without an answer for hangMs, then dropped */
  hangShare: number;
  hangMs: number;
}

export class FlakyReceiver {
  readonly records = new Map<string, ReceiverRecord>();
  /** requests answered 500 and requests left hanging: the faults this receiver injected */
  readonly injected = { failed: 0, hung: 0 };
  private readonly server: http.Server;

  constructor(
    private readonly behaviour: FlakyBehaviour,
    private readonly random: () => number = Math.random,
  ) {
    this.server = http.createServer((req, res) => this.answer(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    req.on('end', () => {
      const at = Date.now();
      const key = String(req.headers['idempotency-key'] ?? '');
      const record = this.records.get(key) ?? { firstArrival: at, firstDelivered: null, delivered: 0, requests: 0 };
      record.requests += 1;
      this.records.set(key, record);
      const draw = this.random();
      if (draw < this.behaviour.failShare) {
        this.injected.failed += 1;
        res.writeHead(500).end();
      } else if (draw < this.behaviour.failShare + this.behaviour.hangShare) {
        this.injected.hung += 1;
        setTimeout(() => res.destroy(), this.behaviour.hangMs).unref();
      } else {
        record.delivered += 1;
        record.firstDelivered ??= at;
        res.writeHead(200).end();
      }
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
