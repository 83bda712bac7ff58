// Stores one batch of incoming timers: the flow-control keys they name and the main table first, then every shard in parallel. Only when
// all of it is committed are the messages acked; a failure leaves them to be redelivered, which is safe.
import type { Pool } from '../common/db/pool.js';
import type { IncomingTimer } from '../common/messages/timer-message.js';
import { insertTimers } from '../common/store/timers.js';
import { insertTimersToFire } from '../common/store/timers-to-fire.js';
import { nameFlowKeys } from '../common/store/flow-keys.js';
import { storeSplitting, type StoreOutcome } from './batched-store.js';
import { metrics } from '../common/observability/metrics.js';

export type { StoreOutcome };

export interface Databases {
  main: Pool;
  shards: Pool[];
  /** a timer due within this long signals its shard's pollers (POLLER_LOOKAHEAD_MS; none: no signal) */
  dueSoonMs?: number;
}

async function storeAll(dbs: Databases, timers: IncomingTimer[]): Promise<void> {
  // The flow-control keys the timers name exist (with the limits they set) before a trigger meets them.
  const keys = timers.flatMap((t) => (t.flow_control ? [{ ownerId: t.owner_id ?? null, ...t.flow_control }] : []));
  if (keys.length > 0) await nameFlowKeys(dbs.main, keys, Date.now());
  const waiting = await insertTimers(dbs.main, timers);
  await insertTimersToFire(
    dbs.shards,
    timers.filter((timer) => waiting.has(timer.id)),
    dbs.dueSoonMs ?? null,
  );
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
