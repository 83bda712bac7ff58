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

export interface BatchedStoreOptions<T> {
  schema: z.ZodType<T>;
  store: (items: T[]) => Promise<StoreOutcome[]>;
  batchMax: number;
  /** where an undecodable message or a refused row goes, with the reason */
  deadLetter: DeadLetter;
  log: Logger;
  /** log fields naming an item, e.g. {timer_id} */
  describe: (item: T) => Record<string, unknown>;
}

export function batchedStoreHandler<T>({ schema, store, batchMax, deadLetter, log, describe }: BatchedStoreOptions<T>) {
  const batcher = new Batcher<T, StoreOutcome>(store, batchMax, 2);
  const settle = safeSettle(log);

  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const item = decodeOrDeadLetter(schema, message, channel, deadLetter);
    if (!item) return;
    batcher.add(item).then(
      (outcome) => {
        if (outcome.stored) {
          log.debug(describe(item), 'stored');
          return settle(() => channel.ack(message));
        }
        log.warn({ ...describe(item), reason: outcome.reason }, 'the database refused a row');
        deadLetter(message, channel, `the database refused the row: ${outcome.reason}`);
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'database unavailable; message will be retried');
        setTimeout(() => settle(() => channel.nack(message, false, true)), REQUEUE_DELAY_MS);
      },
    );
  };
  return { handle, drain: () => batcher.idle() };
}
