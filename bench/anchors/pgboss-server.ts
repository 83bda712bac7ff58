// pg-boss anchor, create side: POST /timer sends a job with startAfter = now + seconds and answers 201
// once PostgreSQL has it; POST /timers stores a batch with insert. A cluster of BENCH_WORKERS processes sharing BENCH_PORT.
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { runCluster, intEnv } from './cluster.js';
import { closeServer, serveCreate } from './create-endpoint.js';
import { QUEUE, connectionString, workers } from './pgboss-common.js';

runCluster(workers, async () => {
  const boss = new PgBoss({ connectionString, max: intEnv('BENCH_POOL', 20), migrate: false, supervise: false, schedule: false });
  boss.on('error', (err: Error) => console.error(`pg-boss: ${err.message}`));
  await boss.start();
  const create = async (seconds: number, url: string) => {
    const fireAt = Date.now() + seconds * 1000;
    const id = await boss.send(QUEUE, { url }, { startAfter: new Date(fireAt), retryLimit: 0 });
    if (!id) throw new Error('pg-boss did not create the job');
    return { id, fireAt };
  };
  // Batches go through insert: one multi-row INSERT for all of them.
  const createBulk = async (timers: Array<{ seconds: number; url: string }>) => {
    const now = Date.now();
    const jobs = timers.map(({ seconds, url }) => ({ id: randomUUID(), name: QUEUE, data: { url }, startAfter: new Date(now + seconds * 1000), retryLimit: 0 }));
    await boss.insert(jobs);
    return jobs.map((job) => ({ id: job.id, fireAt: job.startAfter.getTime() }));
  };
  const server = await serveCreate(intEnv('BENCH_PORT', 0), create, createBulk);
  return async () => {
    await closeServer(server);
    await boss.stop({ graceful: false, wait: true });
  };
});
