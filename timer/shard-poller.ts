// One loop per timer-db shard: claim the rows that enter the look-ahead window and hand them to the
// in-memory schedule. It polls again at once while claims come back full (a backlog after downtime,
// oldest first) and when a writer signals rows due soon (signal(): common/store/due-soon.ts), otherwise
// every POLLER_INTERVAL_MS.
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { claimDue, type ClaimedTimer } from '../common/store/timers-to-fire.js';
import { metrics } from '../common/observability/metrics.js';

export interface PollerSettings {
  owner: string;
  intervalMs: number;
  lookaheadMs: number;
  leaseMs: number;
  claimLimit: number;
  /** stop claiming while this many timers are already held in memory */
  maxHeld: number;
}

const MAX_ERROR_BACKOFF_MS = 5_000;

export class ShardPoller {
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** a signal came while a claim was under way: claim again right after it */
  private signalled = false;

  constructor(
    readonly shard: number,
    private readonly pool: Pool,
    private readonly settings: PollerSettings,
    private readonly held: () => number,
    private readonly onClaimed: (shard: number, timers: ClaimedTimer[]) => void,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Rows due soon were written to this shard: claim now (or right after the claim under way). */
  signal(): void {
    if (this.wake) this.wake();
    else this.signalled = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let pause = this.settings.intervalMs;
      this.signalled = false;
      try {
        if (this.held() < this.settings.maxHeld) {
          const now = this.now();
          const claimed = await claimDue(this.pool, {
            now,
            horizon: now + this.settings.lookaheadMs,
            leaseUntil: now + this.settings.leaseMs,
            owner: this.settings.owner,
            limit: this.settings.claimLimit,
          });
          if (claimed.length > 0) metrics.batchSize.observe({ stage: 'poller_claim' }, claimed.length);
          if (claimed.length > 0) this.onClaimed(this.shard, claimed);
          if (claimed.length === this.settings.claimLimit) pause = 0;
        }
        failures = 0;
      } catch (err) {
        failures++;
        pause = Math.min(MAX_ERROR_BACKOFF_MS, this.settings.intervalMs * 2 ** failures);
        this.log.warn({ err: (err as Error).message, shard: this.shard, retry_in_ms: pause }, 'claiming due timers failed');
      }
      if (this.signalled && failures === 0) pause = 0;
      if (pause > 0 && !this.stopped) await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
