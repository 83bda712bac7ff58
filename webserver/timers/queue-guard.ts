// Keeps the door shut while incoming_timers is full: the queue's depth is read every second, and at
// INCOMING_QUEUE_MAX_MESSAGES or more, POST /timer answers 503 queue_full (Retry-After) instead of
// letting the backlog grow without limit while the consumers or the database are slower than the
// clients. Each replica checks on its own, so the bound holds to within a second of inflow.
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Logger } from '../../common/observability/logger.js';

export class QueueDepthGuard {
  private depth = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly amqp: AmqpClient,
    private readonly queue: string,
    readonly maxMessages: number,
    private readonly log: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the depth now; an unreachable broker keeps the last reading (publishes will 503 anyway). */
  async refresh(): Promise<void> {
    try {
      const depth = await this.amqp.messageCount(this.queue);
      if (depth === null) return;
      if (depth >= this.maxMessages !== this.isFull()) {
        this.log.warn({ queue: this.queue, depth, max: this.maxMessages }, depth >= this.maxMessages ? 'queue full: refusing new timers' : 'queue below its limit again');
      }
      this.depth = depth;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, queue: this.queue }, 'could not read the queue depth');
    }
  }

  isFull(): boolean {
    return this.depth >= this.maxMessages;
  }
}
