// The webhook receiver every system calls back: a keep-alive HTTP server on loopback that answers 200
// at once and records the first arrival time (epoch ms) of each timer id found in the JSON body. A run
// of a recurring schedule (headers X-Schedule-Id and X-Schedule-Instant) is recorded with its schedule
// and instant instead (scheduleRuns). A URL with `lane=NAME` counts its requests in that lane (how many
// are open at once: arrived, not yet answered); with `answer_ms=N` the answer waits N ms, as a
// receiver that does some work before it answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScheduleRuns } from './schedule-runs.js';

/** The requests of one lane as the receiver saw them. */
export interface Lane {
  requests: number;
  inFlight: number;
  maxInFlight: number;
}

export class Receiver {
  readonly arrivals = new Map<string, number>();
  readonly lanes = new Map<string, Lane>();
  readonly scheduleRuns = new ScheduleRuns();
  duplicates = 0;
  malformed = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const counted = req.url?.includes('lane=') ? this.enter(req.url) : null;
      if (counted) setTimeout(() => this.answer(res, counted.lane), counted.answerMs);
      else this.answer(res, null);
      let id: string | undefined;
      try {
        id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string }).id;
      } catch {
        id = undefined;
      }
      const scheduleId = req.headers['x-schedule-id'];
      const instant = req.headers['x-schedule-instant'];
      if (typeof scheduleId === 'string' && typeof instant === 'string') {
        if (typeof id !== 'string' || !this.scheduleRuns.record(scheduleId, instant, id, at)) this.malformed++;
      } else if (typeof id !== 'string') this.malformed++;
      else if (this.arrivals.has(id)) this.duplicates++;
      else this.arrivals.set(id, at);
    });
  });

  url = '';

  private answer(res: http.ServerResponse, lane: Lane | null): void {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
    if (lane) lane.inFlight -= 1;
  }

  /** Counts a request in its lane: the lane, and how long to wait before answering. */
  private enter(path: string): { lane: Lane; answerMs: number } {
    const query = new URLSearchParams(path.slice(path.indexOf('?') + 1));
    const name = query.get('lane')!;
    let lane = this.lanes.get(name);
    if (!lane) this.lanes.set(name, (lane = { requests: 0, inFlight: 0, maxInFlight: 0 }));
    lane.requests += 1;
    lane.inFlight += 1;
    lane.maxInFlight = Math.max(lane.maxInFlight, lane.inFlight);
    return { lane, answerMs: Number(query.get('answer_ms') ?? 0) };
  }

  async listen(port: number): Promise<string> {
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 130_000;
    this.server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this.url;
  }

  /** Resolves once every id has arrived, or at the deadline (epoch ms); returns how many are missing. */
  async waitFor(ids: Iterable<string>, deadline: number): Promise<number> {
    const waiting = new Set(ids);
    for (;;) {
      for (const id of waiting) if (this.arrivals.has(id)) waiting.delete(id);
      if (waiting.size === 0 || Date.now() > deadline) return waiting.size;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
