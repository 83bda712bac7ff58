// BullMQ anchor, tasks: a Worker on its own queue running "noop" (returns null) and "sum" jobs with
// concurrency BENCH_CONCURRENCY (32, as the timer service's TASK_WORKER_PREFETCH) per process. A cluster
// of BENCH_WORKERS processes.
import { Worker } from 'bullmq';
import { runCluster, intEnv } from './cluster.js';
import { TASK_QUEUE, connection, prefix, workers } from './bullmq-common.js';

runCluster(workers, async () => {
  const worker = new Worker<{ numbers?: number[] }>(TASK_QUEUE, async (job) => (job.name === 'sum' ? (job.data.numbers ?? []).reduce((a, b) => a + b, 0) : null), {
    connection: { ...connection, maxRetriesPerRequest: null },
    prefix,
    concurrency: intEnv('BENCH_CONCURRENCY', 32),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  worker.on('error', (err) => console.error(`bullmq task worker: ${err.message}`));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
  };
});
