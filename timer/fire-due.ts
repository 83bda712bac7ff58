// What a poller does at a timer's due instant: publish it to timers_to_fire with a broker confirm,
// then delete its row from the shard (batched). The timers falling due together go as one message of
// up to DUE_MESSAGE_MAX timers (one persistent write and one confirm); a burst is split into several,
// so that every trigger gets a share. A publish that fails is retried; should the lease run
// out meanwhile and another poller publish it too, the trigger's claim drops the duplicate.
import type { AmqpClient } from '../common/broker/amqp.js';
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { Batcher } from '../common/batch/batcher.js';
import { encodeTimers } from '../common/messages/timer-message.js';
import { deleteFired, type ClaimedTimer } from '../common/store/timers-to-fire.js';
import { metrics } from '../common/observability/metrics.js';
import { InFlight } from '../common/batch/in-flight.js';

export interface HeldTimer extends ClaimedTimer {
  shard: number;
}

const PUBLISH_RETRY_MS = 1_000;
export const DUE_MESSAGE_MAX = 100;
const DELETE_BATCH_MAX = 5_000;

export class DueTimerFirer {
  private readonly deleters: Array<Batcher<string>>;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly amqp: AmqpClient,
    shards: Pool[],
    owner: string,
    private readonly retry: (timers: HeldTimer[]) => void,
    private readonly log: Logger,
    /** a group meant to leave at `plannedAt` was confirmed by the broker at `confirmedAt` (timer/lead-time.ts) */
    private readonly onConfirmed: (plannedAt: number, confirmedAt: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.deleters = shards.map((pool) => Batcher.forWork<string>((ids) => deleteFired(pool, ids, owner), DELETE_BATCH_MAX));
  }

  /** Publishes timers that fall due; `plannedAt`: the instant they were meant to leave (null: a retry of a failed publish). */
  fire(timers: HeldTimer[], plannedAt: number | null = null): void {
    void this.inFlight.track(this.publishAndDelete(timers, plannedAt));
  }

  /** Waits for every publish and delete under way (graceful stop). */
  async idle(): Promise<void> {
    await this.inFlight.drained();
  }

  private async publishAndDelete(timers: HeldTimer[], plannedAt: number | null): Promise<void> {
    const queue = this.amqp.names.timersToFire;
    const groups: HeldTimer[][] = [];
    for (let i = 0; i < timers.length; i += DUE_MESSAGE_MAX) groups.push(timers.slice(i, i + DUE_MESSAGE_MAX));
    const sent = await Promise.allSettled(
      groups.map(async (group) => {
        await this.amqp.publish(queue, encodeTimers(group.map(({ id, url, fire_at }) => ({ id, url, fire_at }))), { messageId: group[0]!.id });
        if (plannedAt !== null) this.onConfirmed(plannedAt, this.now());
      }),
    );
    const published = groups.flatMap((group, g) => (sent[g]!.status === 'fulfilled' ? group : []));
    const failed = groups.flatMap((group, g) => (sent[g]!.status === 'rejected' ? group : []));
    metrics.timersFired.inc(published.length);
    if (this.log.isLevelEnabled('debug')) {
      for (const t of published) this.log.debug({ timer_id: t.id, shard: t.shard }, 'due timer published');
    }
    if (failed.length > 0) {
      this.log.warn({ count: failed.length }, 'publishing due timers failed; retrying');
      setTimeout(() => this.retry(failed), PUBLISH_RETRY_MS).unref();
    }
    const deletes = published.map((t) =>
      this.deleters[t.shard]!.add(t.id).catch((err: Error) => {
        // The row stays leased; when the lease runs out it is published again and the trigger drops it.
        this.log.warn({ err: err.message, shard: t.shard }, 'deleting a fired timer failed');
      }),
    );
    await Promise.all(deletes);
  }
}
