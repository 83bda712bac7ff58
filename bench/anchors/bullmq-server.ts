// BullMQ anchor, create side: POST /timer adds a delayed job (delay = seconds, timestamp = now) and
// answers 201 once Redis has it. A cluster of BENCH_WORKERS processes sharing BENCH_PORT.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { runCluster, intEnv } from './cluster.js';
import { closeServer, serveCreate } from './create-endpoint.js';
import { QUEUE, connection, prefix, workers } from './bullmq-common.js';

runCluster(workers, async () => {
  const queue = new Queue(QUEUE, { connection, prefix });
  await queue.waitUntilReady();
  const server = await serveCreate(intEnv('BENCH_PORT', 0), async (seconds, url) => {
    const now = Date.now();
    const id = randomUUID();
    await queue.add('timer', { url }, { jobId: id, delay: seconds * 1000, timestamp: now, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    return { id, fireAt: now + seconds * 1000 };
  });
  return async () => {
    await closeServer(server);
    await queue.close();
  };
});
