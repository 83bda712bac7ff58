// BullMQ anchor, firing side: a Worker with concurrency BENCH_CONCURRENCY (256) per process on
// BENCH_QUEUE (the timers' queue by default) that POSTs {"id": jobId} to the job's url. A job made by a
// job scheduler (the schedules scenario) also names its scheduler and the instant it was scheduled
// for, which BullMQ writes into the job's id: "repeat:<scheduler id>:<epoch ms>". With BENCH_LIMIT_MAX
// (the flow scenario) the Worker has BullMQ's rate limiter, at most BENCH_LIMIT_MAX jobs per
// BENCH_LIMIT_DURATION_MS, which BullMQ keeps in Redis for every worker of the queue together. A
// cluster of BENCH_WORKERS processes.
import { Worker, type Job } from 'bullmq';
import { runCluster, intEnv } from './cluster.js';
import { postWebhook, closeWebhookAgent, type ScheduleRun } from './post-webhook.js';
import { QUEUE, connection, prefix, workers } from './bullmq-common.js';

function scheduleRun(job: Job): ScheduleRun | undefined {
  if (!job.repeatJobKey || !job.id) return undefined;
  return { scheduleId: job.repeatJobKey, instant: Number(job.id.slice(job.id.lastIndexOf(':') + 1)) };
}

const limitMax = intEnv('BENCH_LIMIT_MAX', 0);
const limiter = limitMax > 0 ? { limiter: { max: limitMax, duration: intEnv('BENCH_LIMIT_DURATION_MS', 1_000) } } : {};

runCluster(workers, async () => {
  const worker = new Worker<{ url: string }>(process.env.BENCH_QUEUE ?? QUEUE, async (job) => postWebhook(job.data.url, job.id!, scheduleRun(job)), {
    connection: { ...connection, maxRetriesPerRequest: null },
    prefix,
    concurrency: intEnv('BENCH_CONCURRENCY', 256),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
    ...limiter,
  });
  worker.on('error', (err) => console.error(`bullmq worker: ${err.message}`));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    closeWebhookAgent();
  };
});
