// Stores one batch of incoming timers: the main table first, then every shard in parallel. Only when
// all of it is committed are the messages acked; a failure leaves them to be redelivered, which is safe.
import type { Pool } from '../common/db.js';
import { isUnavailable } from '../common/db.js';
import { shardOf } from '../common/shard.js';
import type { IncomingTimer } from '../common/timer-message.js';
import { insertTimers, insertTimersToFire } from './persist-timers.js';

export type StoreOutcome = { stored: true } | { stored: false; reason: string };

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
}

/**
 * storeBatch(dbs, timers): one outcome per timer. A database that cannot be reached rejects the whole
 * batch (the caller requeues it); a batch the database refuses for its content is split, so that one bad
 * row is reported alone and the others are stored.
 */
export async function storeBatch(dbs: Databases, timers: IncomingTimer[]): Promise<StoreOutcome[]> {
  try {
    await storeAll(dbs, timers);
    return timers.map(() => ({ stored: true }));
  } catch (err) {
    if (isUnavailable(err)) throw err;
    if (timers.length === 1) return [{ stored: false, reason: (err as Error).message }];
    const outcomes: StoreOutcome[] = [];
    for (const timer of timers) outcomes.push(...(await storeBatch(dbs, [timer])));
    return outcomes;
  }
}
