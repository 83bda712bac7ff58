// One child process of a local stack: started with its environment, its output written to a log file,
// "ready" when it logs the line {"msg":"ready"}, restarted after a crash when asked to, and stopped with
// SIGTERM (SIGKILL after a grace period).
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** wait for a {"msg":"ready"} log line; otherwise the process counts as ready once spawned */
  logsReady: boolean;
  autoRestart: boolean;
  /** its CPU priority (Linux nice, 0-19; higher yields to the others when the machine is saturated) */
  nice?: number;
  echo?: (line: string) => void;
}

const RESTART_DELAY_MS = 1_000;
const STOP_GRACE_MS = 15_000;

/** How a process ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  private stopping = false;
  private readonly log: WriteStream;

  constructor(readonly spec: ProcessSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** How the running process ends, once it has (the last one's end when none runs). */
  get exit(): Promise<ExitStatus> {
    return this.exited;
  }

  /** Spawns the process; resolves once it is ready, rejects if it exits first. */
  start(): Promise<void> {
    if (this.child) return Promise.resolve();
    this.stopping = false;
    const child = spawn(this.spec.command, this.spec.args, { env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    if (this.spec.nice && child.pid !== undefined) setPriority(child.pid, this.spec.nice);
    let markReady: () => void = () => undefined;
    let failStart: (err: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.log.write(`${line}\n`);
        this.spec.echo?.(line);
        if (line.includes('"msg":"ready"')) markReady();
      });
    }
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = null;
        this.log.write(`[launcher] ${this.spec.name} exited (code ${code}, signal ${signal})\n`);
        failStart(new Error(`${this.spec.name} exited before it was ready (code ${code}, signal ${signal}); see ${this.spec.logFile}`));
        resolve({ code, signal });
        if (!this.stopping && this.spec.autoRestart) {
          setTimeout(() => {
            if (!this.stopping) this.start().catch(() => undefined);
          }, RESTART_DELAY_MS);
        }
      });
    });
    child.once('error', (err) => failStart(err));
    if (!this.spec.logsReady) child.once('spawn', () => markReady());
    return ready;
  }

  /** Sends a signal (SIGKILL by default: a crash) and waits for the exit. No restart follows. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitStatus> {
    this.stopping = true;
    this.child?.kill(signal);
    return this.exited;
  }

  /** Graceful stop: SIGTERM (or SIGINT), then SIGKILL after the grace period; resolves with how it ended. */
  async stop(signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM'): Promise<ExitStatus> {
    if (!this.child) return this.exited;
    this.stopping = true;
    const child = this.child;
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    const status = await this.exited;
    clearTimeout(force);
    return status;
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
