// What the pipeline's processes open and how they stop, written once so that the stop order is right by
// construction. The graceful stop runs its steps last-registered first, so the steps are registered
// here in the reverse of the order they must run in:
//   1. the database pools (closed last: every step before may still write),
//   2. the heartbeat (its stop deletes the process's row, through the still open main pool),
//   3. the broker connection (closed once nothing publishes or settles any more),
//   4. each consumer's in-flight work (drained: written and acked, or handed back),
//   5. the consumers themselves (cancelled first: intake stops before anything else).
import { AmqpClient } from '../broker/amqp.js';
import { queueNames } from '../broker/queue-names.js';
import { createPool, type Pool } from '../db/pool.js';
import { retentionDefaultsOf, retentionSessionOptions } from '../store/expiry.js';
import { startHeartbeat, type HeartbeatOptions } from './heartbeat.js';
import { announceReady, type ProcessContext } from './start.js';
import type { MessageHandler } from '../broker/amqp.js';

export interface PipelineOptions {
  /** the process type, as heartbeats and application_name name it */
  type: HeartbeatOptions['type'];
  /** connections of the main pool (default DB_POOL_MAX) */
  mainPoolMax?: number;
  /** connections of each shard's pool; none opened when left out */
  shardPoolMax?: number;
  /** what the heartbeat carries besides the process's identity (the trigger's lateness) */
  heartbeatStats?: HeartbeatOptions['stats'];
}

export interface Pipeline {
  mainDb: Pool;
  /** one pool per timer-db shard, in SHARD_DB_URLS order (empty unless shardPoolMax was given) */
  shards: Pool[];
  amqp: AmqpClient;
}

/** Opens the pools, the heartbeat and the broker client (not yet started), each with its stop step. */
export function openPipeline({ config, log, shutdown }: ProcessContext, options: PipelineOptions): Pipeline {
  const application = `timer-${options.type === 'timer' ? 'poller' : options.type}`;
  // Its sessions know the configured retentions: any statement that finishes a timer or task sets its expires_at.
  const mainDb = createPool(config.MAIN_DB_URL, application, options.mainPoolMax ?? config.DB_POOL_MAX, log, retentionSessionOptions(retentionDefaultsOf(config)));
  const shardPoolMax = options.shardPoolMax;
  const shards = shardPoolMax === undefined ? [] : config.SHARD_DB_URLS.map((url) => createPool(url, application, shardPoolMax, log));
  shutdown.add('databases', async () => {
    await Promise.all([mainDb.end(), ...shards.map((shard) => shard.end())]);
  });
  startHeartbeat({ db: mainDb, type: options.type, intervalMs: config.HEARTBEAT_INTERVAL_MS, log, stats: options.heartbeatStats }, shutdown);
  const amqp = new AmqpClient(config.AMQP_URL, queueNames(config.QUEUE_PREFIX), log, config.PUBLISH_CONFIRM_TIMEOUT_MS, `timer-${options.type}-${process.pid}`);
  shutdown.add('broker', () => amqp.close());
  return { mainDb, shards, amqp };
}

export interface QueueConsumer {
  /** what its in-flight work is called in the stop's log */
  name: string;
  queue: string;
  prefetch: number;
  handle: MessageHandler;
  /** resolves once the work it took is written and acked, or handed back */
  drain: () => Promise<void>;
}

/**
 * Consumes the queues, starts the broker connection and says "ready" once it is connected. Registered
 * after openPipeline's steps, so a stop cancels the consumers first, then drains each one's work.
 */
export async function consumeQueues({ log, shutdown }: ProcessContext, amqp: AmqpClient, consumers: QueueConsumer[], readyFields: Record<string, unknown> = {}): Promise<void> {
  for (const consumer of consumers) {
    shutdown.add(consumer.name, consumer.drain);
    await amqp.consume(consumer.queue, consumer.prefetch, consumer.handle);
  }
  shutdown.add('consumers', () => amqp.cancelConsumers());
  await amqp.start();
  void amqp.waitForConnect().then(() => announceReady(log, readyFields));
}
