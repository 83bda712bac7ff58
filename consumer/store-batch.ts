// Stores one batch of incoming timers: the main table first, then every shard in parallel. Only when
// all of it is committed are the messages acked; a failure leaves them to be redelivered, which is safe.
import type { Pool } from '../common/db/pool.js';
import { shardOf } from '../common/store/shard.js';
import type { IncomingTimer } from '../common/messages/timer-message.js';
import { insertTimers, insertTimersToFire } from './persist-timers.js';
import { storeSplitting, type StoreOutcome } from './batched-store.js';
import { metrics } from '../common/observability/metrics.js';

export type { StoreOutcome };

export interface Databases {
  main: Pool;
  shards: Pool[];
}

async function storeAll(dbs: Databases, timers: IncomingTimer[]): Promise<void> {
  const waiting = await insertTimers(dbs.main, timers);
  const perShard: IncomingTimer[][] = dbs.shards.map(() => []);
  for (const timer of timers) {
    if (waiting.has(timer.id)) perShard[shardOf(timer.id, dbs.shards.length)]!.push(timer);
  }
  await Promise.all(perShard.map((batch, shard) => insertTimersToFire(dbs.shards[shard]!, batch)));
  metrics.batchSize.observe({ stage: 'consumer_insert' }, timers.length);
  const now = Date.now();
  for (const timer of timers) metrics.consumerLag.observe(Math.max(0, now - timer.created_at) / 1000);
}

/**
 * storeBatch(dbs, timers): one outcome per timer; an unreachable database rejects the whole batch, a
 * row the database refuses is reported alone (consumer/batched-store.ts).
 */
export function storeBatch(dbs: Databases, timers: IncomingTimer[]): Promise<StoreOutcome[]> {
  return storeSplitting(timers, (batch) => storeAll(dbs, batch));
}
