// consumer: stores what the webservers accepted; any number of replicas.
// Consumes: incoming_timers (one timer, or a POST /timers batch) and incoming_logs.
// Writes: timers in the main database and timers_to_fire in the timer's shard; log_records in the
//   main database; batched, idempotent inserts, acked after the commit; its process_heartbeats row.
// Publishes: only a message it cannot decode, to its queue's .dead queue.
// Calls: no service over HTTP.
// The consumer process: incoming_timers -> timers table + timer-db shards, incoming_logs -> log_records, in batches.
import { startProcess, type ProcessContext } from '../common/process/start.js';
import { consumeQueues, openPipeline } from '../common/process/pipeline.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { incomingTimerHandler } from './consume-incoming.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { incomingLogHandler } from './consume-logs.js';
import { watchQueues } from '../common/observability/metrics.js';

async function main(context: ProcessContext): Promise<void> {
  const { config, log } = context;
  const { mainDb, shards, amqp } = openPipeline(context, { type: 'consumer', shardPoolMax: config.DB_POOL_MAX });
  const incoming = incomingTimerHandler(
    { main: mainDb, shards, dueSoonMs: config.POLLER_LOOKAHEAD_MS },
    { batchMax: config.CONSUMER_BATCH_MAX, lingerMs: config.CONSUMER_BATCH_LINGER_MS },
    deadLetterer(amqp, log),
    log,
  );
  const logs = incomingLogHandler(mainDb, config.CONSUMER_BATCH_MAX, deadLetterer(amqp, log), log);
  watchQueues(amqp, { incoming_timers: amqp.names.incomingTimers, incoming_logs: amqp.names.incomingLogs });
  await consumeQueues(context, amqp, [
    { name: 'in-flight batches', queue: amqp.names.incomingTimers, prefetch: config.CONSUMER_PREFETCH, handle: incoming.handle, drain: () => incoming.drain() },
    { name: 'in-flight log batches', queue: amqp.names.incomingLogs, prefetch: config.CONSUMER_PREFETCH, handle: logs.handle, drain: () => logs.drain() },
  ]);
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('consumer');
main(context).catch(exitOnFatal(context.log));
