// BullMQ anchor, firing side: a Worker with concurrency BENCH_CONCURRENCY (256) per process that POSTs
// {"id": jobId} to the job's url. A cluster of BENCH_WORKERS processes.
import { Worker } from 'bullmq';
import { runCluster, intEnv } from './cluster.js';
import { postWebhook, closeWebhookAgent } from './post-webhook.js';
import { QUEUE, connection, prefix, workers } from './bullmq-common.js';

runCluster(workers, async () => {
  const worker = new Worker<{ url: string }>(QUEUE, async (job) => postWebhook(job.data.url, job.id!), {
    connection: { ...connection, maxRetriesPerRequest: null },
    prefix,
    concurrency: intEnv('BENCH_CONCURRENCY', 256),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  worker.on('error', (err) => console.error(`bullmq worker: ${err.message}`));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    closeWebhookAgent();
  };
});
