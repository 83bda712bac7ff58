// consumer: stores what the webservers accepted; any number of replicas.
// Consumes: incoming_timers (one timer, or a POST /timers batch) and incoming_logs.
// Writes: timers in the main database and timers_to_fire in the timer's shard; log_records in the
//   main database; batched, idempotent inserts, acked after the commit; its process_heartbeats row.
// Publishes: only a message it cannot decode, to its queue's .dead queue.
// Calls: no service over HTTP.
// The consumer process: incoming_timers -> timers table + timer-db shards, incoming_logs -> log_records, in batches.
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { AmqpClient } from '../common/broker/amqp.js';
import { queueNames } from '../common/broker/queue-names.js';
import { createPool } from '../common/db/pool.js';
import { incomingTimerHandler } from './consume-incoming.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { incomingLogHandler } from './consume-logs.js';
import { watchQueues } from '../common/observability/metrics.js';
import { startHeartbeat } from '../common/process/heartbeat.js';

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const mainDb = createPool(config.MAIN_DB_URL, 'timer-consumer', config.DB_POOL_MAX, log);
  const shards = config.SHARD_DB_URLS.map((url) => createPool(url, 'timer-consumer', config.DB_POOL_MAX, log));
  shutdown.add('databases', async () => {
    await Promise.all([mainDb.end(), ...shards.map((shard) => shard.end())]);
  });
  startHeartbeat({ db: mainDb, type: 'consumer', intervalMs: config.HEARTBEAT_INTERVAL_MS, log }, shutdown);
  const amqp = new AmqpClient(config.AMQP_URL, queueNames(config.QUEUE_PREFIX), log, config.PUBLISH_CONFIRM_TIMEOUT_MS, `timer-consumer-${process.pid}`);
  shutdown.add('broker', () => amqp.close());
  const incoming = incomingTimerHandler({ main: mainDb, shards }, config.CONSUMER_BATCH_MAX, deadLetterer(amqp, log), log);
  shutdown.add('in-flight batches', () => incoming.drain());
  await amqp.consume(amqp.names.incomingTimers, config.CONSUMER_PREFETCH, incoming.handle);
  const logs = incomingLogHandler(mainDb, config.CONSUMER_BATCH_MAX, deadLetterer(amqp, log), log);
  shutdown.add('in-flight log batches', () => logs.drain());
  await amqp.consume(amqp.names.incomingLogs, config.CONSUMER_PREFETCH, logs.handle);
  // Stop intake first; batches already taken are written and acked, unacked messages return to the queue.
  shutdown.add('consumers', () => amqp.cancelConsumers());
  watchQueues(amqp, { incoming_timers: amqp.names.incomingTimers, incoming_logs: amqp.names.incomingLogs });
  await amqp.start();
  void amqp.waitForConnect().then(() => announceReady(log));
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('consumer');
main(context).catch(exitOnFatal(context.log));
