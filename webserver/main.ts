// The webserver process: validates and accepts timers, publishes them, and serves reads.
import { announceReady, startProcess, type ProcessContext } from '../common/process.js';
import { exitOnFatal } from '../common/shutdown.js';
import { AmqpClient } from '../common/amqp.js';
import { queueNames } from '../common/queue-names.js';
import { createPool } from '../common/db.js';
import { createApp } from './app.js';
import { AddressPolicy } from '../common/callback-address.js';
import { QueueDepthGuard } from './queue-guard.js';

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const amqp = new AmqpClient(config.AMQP_URL, queueNames(config.QUEUE_PREFIX), log, config.PUBLISH_CONFIRM_TIMEOUT_MS, `timer-webserver-${process.pid}`);
  const mainDb = createPool(config.MAIN_DB_URL, 'timer-webserver', config.DB_POOL_MAX, log);
  // Replays put timers back into their shards (webserver/replay-timers.ts).
  const shards = config.SHARD_DB_URLS.map((url) => createPool(url, 'timer-webserver', 2, log));
  shutdown.add('database', async () => {
    await Promise.all([mainDb.end(), ...shards.map((shard) => shard.end())]);
  });
  shutdown.add('broker', () => amqp.close());
  await amqp.start();

  const incomingQueue = new QueueDepthGuard(amqp, amqp.names.incomingTimers, config.INCOMING_QUEUE_MAX_MESSAGES, log);
  incomingQueue.start();
  shutdown.add('queue guard', () => incomingQueue.stop());
  const app = createApp({
    amqp,
    mainDb,
    log,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    readYourWritesWaitMs: config.READ_YOUR_WRITES_WAIT_MS,
    addressPolicy: new AddressPolicy(config.WEBHOOK_ALLOWED_CIDRS),
    defaultMaxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    incomingQueue,
    maxInFlight: config.WEBSERVER_MAX_IN_FLIGHT,
    shards,
    now: Date.now,
  });
  const server = app.listen(config.PORT, () => {
    log.info({ port: config.PORT }, 'webserver listening');
    void amqp.waitForConnect().then(() => announceReady(log));
  });
  // Longer than nginx's upstream keepalive_timeout, so nginx never reuses a connection we are closing.
  server.keepAliveTimeout = 65_000;
  shutdown.add('http server', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  }));
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('webserver');
main(context).catch(exitOnFatal(context.log));
