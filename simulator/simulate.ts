// The access-log client simulator: THREADS workers POST random access-log lines to /api/data, each waiting a random
// 0..REQUESTS_DELAY ms between requests, until a request count or a duration is reached (or stop() is
// called). Each worker appends every line the API accepted to <out>/<worker id>.log. At the end the
// accepted records are looked up through the cursor API to count how many are stored.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { randomLogLine } from './log-lines.js';

export interface SimulateOptions {
  apiUrl: string;
  threads: number;
  /** longest random pause between two requests of a worker, ms */
  maxDelayMs: number;
  /** requests in all; 0: no limit */
  requests: number;
  /** ms; 0: no limit */
  durationMs: number;
  outDir: string;
}

export interface Progress {
  sent: number;
  accepted: number;
  errors: number;
  elapsedMs: number;
}

export interface Summary extends Progress {
  stored: number;
  requestsPerSecond: number;
  files: string[];
}

const FIRST_ERRORS_SHOWN = 5;

export class Simulation {
  private sent = 0;
  private accepted: string[] = [];
  private errors = 0;
  private stopped = false;
  private wake: Array<() => void> = [];
  private readonly started = Date.now();
  readonly errorSamples: string[] = [];

  constructor(readonly options: SimulateOptions) {}

  progress(): Progress {
    return { sent: this.sent, accepted: this.accepted.length, errors: this.errors, elapsedMs: Date.now() - this.started };
  }

  /** Ends the run after the requests in flight (Ctrl-C, SIGTERM). */
  stop(): void {
    this.stopped = true;
    this.wake.splice(0).forEach((resolve) => resolve());
  }

  async run(): Promise<Summary> {
    const { threads, durationMs } = this.options;
    mkdirSync(this.options.outDir, { recursive: true });
    const deadline = durationMs > 0 ? setTimeout(() => this.stop(), durationMs) : null;
    const files = await Promise.all(Array.from({ length: threads }, () => this.worker()));
    if (deadline) clearTimeout(deadline);
    const elapsedMs = Date.now() - this.started;
    const stored = await this.countStored();
    return { ...this.progress(), elapsedMs, stored, requestsPerSecond: this.sent / Math.max(elapsedMs / 1000, 0.001), files };
  }

  private takeTurn(): boolean {
    if (this.stopped) return false;
    if (this.options.requests > 0 && this.sent >= this.options.requests) return false;
    this.sent++;
    return true;
  }

  private async worker(): Promise<string> {
    const file = join(this.options.outDir, `${nanoid(10)}.log`);
    const out = createWriteStream(file, { flags: 'a' });
    try {
      while (this.takeTurn()) {
        const line = randomLogLine();
        const id = await this.post(line);
        if (id) {
          this.accepted.push(id);
          out.write(`${line}\n`);
        }
        await this.pause(Math.random() * this.options.maxDelayMs);
      }
    } finally {
      await closeStream(out);
    }
    return file;
  }

  /** The record id when the API accepted the line, else null (counted as an error). */
  private async post(line: string): Promise<string | null> {
    try {
      const res = await fetch(`${this.options.apiUrl}/api/data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ log: line }),
      });
      const body = (await res.json()) as { id?: string; message?: string };
      if (res.status === 201 && body.id) return body.id;
      this.error(`${res.status} ${body.message ?? ''}`);
    } catch (err) {
      this.error((err as Error).message);
    }
    return null;
  }

  private error(text: string): void {
    this.errors++;
    if (this.errorSamples.length < FIRST_ERRORS_SHOWN) this.errorSamples.push(text);
  }

  private pause(ms: number): Promise<void> {
    if (ms < 1 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake.push(() => (clearTimeout(timer), resolve()));
    });
  }

  /** How many accepted records the cursor API knows (GET /api/data?id=<id> answers 200), THREADS at a time. */
  private async countStored(): Promise<number> {
    const ids = [...this.accepted];
    let stored = 0;
    const checker = async () => {
      for (let id = ids.pop(); id !== undefined; id = ids.pop()) {
        const res = await fetch(`${this.options.apiUrl}/api/data?id=${id}&limit=1`).catch(() => null);
        await res?.arrayBuffer();
        if (res?.status === 200) stored++;
      }
    };
    await Promise.all(Array.from({ length: this.options.threads }, checker));
    return stored;
  }
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
