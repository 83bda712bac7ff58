// What a worker knows of paused task types: the pauses in force, read from task_type_pauses every
// TASK_PAUSE_REFRESH_MS (one query a second per worker, not one per task), so a pause reaches every replica
// within about that. The same look releases the held tasks whose pause is over (resumed, or past its
// until): whichever worker or webserver comes first publishes them, oldest first, each once. A failed look
// keeps the last reading and is tried again at the next tick.
import type { AmqpClient } from '../common/broker/amqp.js';
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { activePauses } from '../common/store/task-type-pauses.js';
import { releaseHeld } from '../common/tasks/release-held-tasks.js';

export class PausedTypes {
  private types: readonly string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failing = false;

  constructor(
    private readonly db: Pool,
    private readonly amqp: AmqpClient,
    private readonly log: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    const tick = () => {
      // A look still under way (a slow database) is not doubled: the next tick comes soon enough.
      if (!this.inFlight) void this.refresh();
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the looks; resolves once the one under way is done. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** The types paused at the last look. */
  paused(): readonly string[] {
    return this.types;
  }

  /** Reads the pauses now and releases what is no longer paused (after the look under way, if any). */
  async refresh(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    this.inFlight = this.look().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  private async look(): Promise<void> {
    try {
      this.types = (await activePauses(this.db)).map((pause) => pause.type);
      const released = await releaseHeld(this.db, this.amqp);
      if (released > 0) this.log.info({ released }, 'held tasks published again: their type is no longer paused');
      if (this.failing) this.log.info('task type pauses read again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn({ err: (err as Error).message }, 'could not read the task type pauses or release held tasks; retrying at the next tick');
      this.failing = true;
    }
  }
}
