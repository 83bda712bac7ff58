// Graceful stop, in one place: SIGTERM or SIGINT runs the registered steps in reverse order of
// registration (stop intake first, close connections last), each in its own try/catch, under a deadline.
// A second signal or the deadline forces the exit.
import type { Logger } from '../observability/logger.js';

type Step = { name: string; run: () => Promise<void> | void };

/** How the process ends: process.exit, or a stand-in where the stop is exercised without ending it. */
export type Exit = (code: number) => void;

/** Where SIGTERM and SIGINT come from: the process, or a stand-in that emits them. */
export type SignalSource = { on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown };

export class Shutdown {
  private readonly steps: Step[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs: number,
    private readonly exit: Exit = (code) => process.exit(code),
  ) {}

  /** Registers a step; steps run last-registered first. */
  add(name: string, run: Step['run']): void {
    this.steps.push({ name, run });
  }

  listen(signals: SignalSource = process): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      signals.on(signal, () => {
        if (this.stopping) {
          this.log.warn({ signal }, 'second signal: exiting now');
          this.exit(1);
          return;
        }
        this.log.info({ signal }, 'stopping');
        void this.stop().then(() => this.exit(0));
      });
    }
  }

  /** Runs every step once; later calls return the same promise. */
  stop(): Promise<void> {
    this.stopping ??= this.runSteps();
    return this.stopping;
  }

  private async runSteps(): Promise<void> {
    const deadline = setTimeout(() => {
      this.log.error({ timeout_ms: this.timeoutMs }, 'shutdown deadline passed: exiting');
      this.exit(1);
    }, this.timeoutMs);
    deadline.unref();
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
      } catch (err) {
        this.log.warn({ err, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(deadline);
  }
}

/** The end of every main.ts: log what stopped start-up, and exit non-zero. */
export function exitOnFatal(log: Logger): (err: unknown) => never {
  return (err: unknown) => {
    log.fatal({ err }, 'fatal error');
    process.exit(1);
  };
}
