// What every queue-to-table consumer does with a delivery: decode it, store it with others in one batch,
// then ack. An undecodable message or a row the database refuses is dead-lettered; an unreachable
// database requeues the message after a pause. Used for incoming_timers and incoming_logs.
import type { Channel, ConsumeMessage } from 'amqplib';
import { z } from 'zod';
import type { Logger } from '../common/observability/logger.js';
import { Batcher } from '../common/batch/batcher.js';
import { isUnavailable } from '../common/errors/is-unavailable.js';
import { safeSettle } from '../common/broker/safe-settle.js';
import type { DeadLetter } from '../common/broker/dead-letter.js';

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
  /** one item's shape: an item that does not have it is dead-lettered alone, its siblings are stored */
  schema: z.ZodType<T>;
  /** the undecoded items one message body carries, or null when the body is not such a message (default: the body is the item) */
  itemsOf?: (body: unknown) => unknown[] | null;
  /** one message body for the given items, to dead-letter the refused ones of a message (default: the item itself) */
  encode?: (items: unknown[]) => Buffer;
  store: (items: T[]) => Promise<StoreOutcome[]>;
  batchMax: number;
  /** an idle batcher waits this long for company before a write (0: writes at once) */
  lingerMs?: number;
  /** where an undecodable message or a refused row goes, with the reason */
  deadLetter: DeadLetter;
  log: Logger;
  /** log fields naming an item, e.g. {timer_id} */
  describe: (item: T) => Record<string, unknown>;
}

interface Refused {
  item: unknown;
  reason: string;
}

const bodyOf = (content: Buffer): unknown => {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
};

export function batchedStoreHandler<T>({ schema, itemsOf, encode, store, batchMax, lingerMs = 0, deadLetter, log, describe }: BatchedStoreOptions<T>) {
  const batcher = new Batcher<T, StoreOutcome>(store, batchMax, 2, lingerMs);
  const settle = safeSettle(log);
  const split = itemsOf ?? ((body: unknown) => [body]);
  const pack = encode ?? ((items: unknown[]) => Buffer.from(JSON.stringify(items[0])));

  // Each item of a message is decoded and stored on its own: a message is acked once every item is
  // either stored or refused, and the refused ones (a shape the store cannot take, or a row the
  // database refused) are dead-lettered together, with the first reason, while their siblings stay
  // stored. Storing is idempotent, so replaying a dead letter later adds only what is missing.
  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const body = bodyOf(message.content);
    const raw = body === undefined ? null : split(body);
    if (!raw || raw.length === 0) return deadLetter(message, channel, body === undefined ? 'undecodable: message body is not JSON' : 'undecodable: message has the wrong shape');
    const refused: Refused[] = [];
    const items: T[] = [];
    const rawOf: unknown[] = [];
    for (const item of raw) {
      const parsed = schema.safeParse(item);
      if (parsed.success) {
        items.push(parsed.data);
        rawOf.push(item);
      } else refused.push({ item, reason: `undecodable: item has the wrong shape: ${z.prettifyError(parsed.error)}` });
    }
    Promise.all(items.map((item) => batcher.add(item))).then(
      (outcomes) => {
        outcomes.forEach((outcome, i) => {
          if (outcome.stored) return log.debug(describe(items[i]!), 'stored');
          log.warn({ ...describe(items[i]!), reason: outcome.reason }, 'the database refused a row');
          refused.push({ item: rawOf[i], reason: `the database refused the row: ${outcome.reason}` });
        });
        if (refused.length === 0) return settle(() => channel.ack(message));
        const which = raw.length === 1 ? 'its one item' : `${refused.length} of its ${raw.length} items`;
        const content = refused.length === raw.length ? message.content : pack(refused.map((r) => r.item));
        deadLetter(message, channel, `${which} refused; the first: ${refused[0]!.reason}`, content);
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'database unavailable; message will be retried');
        setTimeout(() => settle(() => channel.nack(message, false, true)), REQUEUE_DELAY_MS);
      },
    );
  };
  return { handle, drain: () => batcher.idle() };
}
