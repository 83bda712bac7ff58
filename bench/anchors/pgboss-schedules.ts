// pg-boss anchor, recurring schedules: pg-boss's own scheduler (its timekeeper, schedule: true) and the
// workers of the schedules' runs, one process type started only for the schedules scenario. pg-boss
// 10.4.2 schedules by cron, one schedule per queue name, at minute resolution: every
// CRON_INTERVAL_SECONDS one process evaluates every schedule's cron and queues a hand-off job for each
// that is due (once per minute per schedule), and each process's hand-off worker (50 jobs per fetch)
// creates the runs. The schedules send their runs to SCHEDULE_RUNS_QUEUE (see
// bench/systems/pgboss-schedules.ts), where BENCH_LOOPS work() loops per process fetch up to BENCH_BATCH
// at pg-boss's minimum polling interval (0.5 s) and POST each run's webhook. pg-boss records no instant
// on a run: it is taken as the minute at or before the run job's creation. A cluster of BENCH_WORKERS
// processes.
import PgBoss from 'pg-boss';
import { runCluster, intEnv } from './cluster.js';
import { postWebhook, closeWebhookAgent } from './post-webhook.js';
import { CRON_INTERVAL_SECONDS, SCHEDULE_RUNS_QUEUE, connectionString, workers } from './pgboss-common.js';

const MINUTE_MS = 60_000;

runCluster(workers, async () => {
  const boss = new PgBoss({
    connectionString,
    max: 10,
    migrate: false,
    supervise: false,
    schedule: true,
    cronMonitorIntervalSeconds: CRON_INTERVAL_SECONDS,
    cronWorkerIntervalSeconds: CRON_INTERVAL_SECONDS,
  });
  boss.on('error', (err: Error) => console.error(`pg-boss: ${err.message}`));
  await boss.start();
  const loops = intEnv('BENCH_LOOPS', 2);
  const options = { batchSize: intEnv('BENCH_BATCH', 1000), pollingIntervalSeconds: 0.5, includeMetadata: true } as const;
  for (let i = 0; i < loops; i++) {
    await boss.work<{ url: string; schedule_id: string }>(SCHEDULE_RUNS_QUEUE, options, async (jobs) => {
      await Promise.all(jobs.map((job) => postWebhook(job.data.url, job.id, { scheduleId: job.data.schedule_id, instant: Math.floor(job.createdOn.getTime() / MINUTE_MS) * MINUTE_MS })));
    });
  }
  return async () => {
    await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
    closeWebhookAgent();
  };
});
