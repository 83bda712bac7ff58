// What every queue-to-table consumer does with a delivery: decode it, store it with others in one batch,
// then ack. An undecodable message or a row the database refuses is dead-lettered; an unreachable
// database requeues the message after a pause. Used for incoming_timers and incoming_logs.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Logger } from '../common/logger.js';
import { Batcher } from '../common/batcher.js';
import { isUnavailable } from '../common/db.js';
import { decodeOrDeadLetter, safeSettle } from '../common/settle-message.js';
import type { DeadLetter } from '../common/dead-letter.js';

export type StoreOutcome = { stored: true } | { stored: false; reason: string };

// How long a message waits before it is handed back while the database is unreachable, so that an
// outage does not spin deliveries in a tight loop.
const REQUEUE_DELAY_MS = 1_000;

/**
 * storeSplitting(items, storeAll): one outcome per item. A database that cannot be reached rejects the
 * whole batch (the caller requeues it); a batch the database refuses for its content is split, so that
 * one bad row is reported alone and the others are stored.
 */
export async function storeSplitting<T>(items: T[], storeAll: (items: T[]) => Promise<void>): Promise<StoreOutcome[]> {
  try {
    await storeAll(items);
    return items.map(() => ({ stored: true }));
  } catch (err) {
    if (isUnavailable(err)) throw err;
    if (items.length === 1) return [{ stored: false, reason: (err as Error).message }];
    const outcomes: StoreOutcome[] = [];
    for (const item of items) outcomes.push(...(await storeSplitting([item], storeAll)));
    return outcomes;
  }
}

export interface BatchedStoreOptions<M, T = M> {
  schema: z.ZodType<M>;
  /** the items one message carries, stored each on its own (default: the message is the item) */
  itemsOf?: (message: M) => T[];
  store: (items: T[]) => Promise<StoreOutcome[]>;
  batchMax: number;
  /** where an undecodable message or a refused row goes, with the reason */
  deadLetter: DeadLetter;
  log: Logger;
  /** log fields naming an item, e.g. {timer_id} */
  describe: (item: T) => Record<string, unknown>;
}

export function batchedStoreHandler<M, T = M>({ schema, itemsOf, store, batchMax, deadLetter, log, describe }: BatchedStoreOptions<M, T>) {
  const batcher = new Batcher<T, StoreOutcome>(store, batchMax, 2);
  const settle = safeSettle(log);
  const split = itemsOf ?? ((message: M) => [message as unknown as T]);

  // A message is acked once all its items are stored. When the database refuses some, the others stay
  // stored and the whole message is dead-lettered, naming how many were refused and why: storing is
  // idempotent, so replaying that message later adds only what is missing.
  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const decoded = decodeOrDeadLetter(schema, message, channel, deadLetter);
    if (!decoded) return;
    const items = split(decoded);
    Promise.all(items.map((item) => batcher.add(item))).then(
      (outcomes) => {
        const refused = outcomes.flatMap((outcome, i) => (outcome.stored ? [] : [{ item: items[i]!, reason: outcome.reason }]));
        if (refused.length === 0) {
          for (const item of items) log.debug(describe(item), 'stored');
          return settle(() => channel.ack(message));
        }
        for (const { item, reason } of refused) log.warn({ ...describe(item), reason }, 'the database refused a row');
        const which = items.length === 1 ? 'the row' : `${refused.length} of the message's ${items.length} rows`;
        deadLetter(message, channel, `the database refused ${which}: ${refused[0]!.reason}`);
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'database unavailable; message will be retried');
        setTimeout(() => settle(() => channel.nack(message, false, true)), REQUEUE_DELAY_MS);
      },
    );
  };
  return { handle, drain: () => batcher.idle() };
}
