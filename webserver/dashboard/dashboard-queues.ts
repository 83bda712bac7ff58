// The dashboard's queue depths: messages ready and consumers of every queue, read from the broker with
// checkQueue on the webserver's own connection (as the queue guard reads incoming_timers). A queue that
// does not exist (deleted by hand) is null; a broker that cannot be reached is a 503 naming it.
import type { AmqpClient } from '../../common/broker/amqp.js';
import { queueList } from '../../common/broker/queue-names.js';
import { DependencyUnavailableError } from '../../common/errors/dependency-unavailable.js';

export interface QueueDepth {
  name: string;
  messages: number | null;
  consumers: number | null;
}

// AMQP reply code of a checkQueue on a queue that does not exist.
const NOT_FOUND = 404;

export async function queueDepths(amqp: Pick<AmqpClient, 'names' | 'queueStats'>): Promise<QueueDepth[]> {
  return Promise.all(queueList(amqp.names).map((name) => queueDepth(amqp, name)));
}

/** One queue's depth (the dead-letter routes read the .dead queues' this way). */
export async function queueDepth(amqp: Pick<AmqpClient, 'queueStats'>, name: string): Promise<QueueDepth> {
  let stats: Awaited<ReturnType<AmqpClient['queueStats']>>;
  try {
    stats = await amqp.queueStats(name);
  } catch (err) {
    if ((err as { code?: unknown }).code === NOT_FOUND) return { name, messages: null, consumers: null };
    throw new DependencyUnavailableError('broker', 'could not read the queue depths', { cause: err });
  }
  if (!stats) throw new DependencyUnavailableError('broker', 'message broker unavailable');
  return { name, messages: stats.messageCount, consumers: stats.consumerCount };
}
