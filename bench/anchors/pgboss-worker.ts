// pg-boss anchor, firing side: BENCH_LOOPS work() loops per process, each fetching up to BENCH_BATCH
// due jobs at pg-boss's minimum polling interval (0.5 s) and POSTing {"id": jobId} to each job's url.
import PgBoss from 'pg-boss';
import { runCluster, intEnv } from './cluster.js';
import { postWebhook, closeWebhookAgent } from './post-webhook.js';
import { QUEUE, connectionString, workers } from './pgboss-common.js';

runCluster(workers, async () => {
  const boss = new PgBoss({ connectionString, max: 10, migrate: false, schedule: false });
  boss.on('error', (err: Error) => console.error(`pg-boss: ${err.message}`));
  await boss.start();
  const loops = intEnv('BENCH_LOOPS', 2);
  for (let i = 0; i < loops; i++) {
    await boss.work<{ url: string }>(QUEUE, { batchSize: intEnv('BENCH_BATCH', 1000), pollingIntervalSeconds: 0.5 }, async (jobs) => {
      await Promise.all(jobs.map((job) => postWebhook(job.data.url, job.id)));
    });
  }
  return async () => {
    await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
    closeWebhookAgent();
  };
});
