// BullMQ anchor, create side: POST /timer adds a delayed job (delay = seconds, timestamp = now) and
// answers 201 once Redis has it; POST /timers adds a batch with addBulk. A cluster of BENCH_WORKERS processes sharing BENCH_PORT.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { runCluster, intEnv } from './cluster.js';
import { closeServer, serveCreate } from './create-endpoint.js';
import { QUEUE, connection, prefix, workers } from './bullmq-common.js';

runCluster(workers, async () => {
  const queue = new Queue(QUEUE, { connection, prefix });
  await queue.waitUntilReady();
  const options = (id: string, seconds: number, now: number) => ({ jobId: id, delay: seconds * 1000, timestamp: now, removeOnComplete: true, removeOnFail: true, attempts: 1 }) as const;
  const create = async (seconds: number, url: string) => {
    const now = Date.now();
    const id = randomUUID();
    await queue.add('timer', { url }, options(id, seconds, now));
    return { id, fireAt: now + seconds * 1000 };
  };
  // Batches go through addBulk: one Redis pipeline (MULTI) for all of them.
  const createBulk = async (timers: Array<{ seconds: number; url: string }>) => {
    const now = Date.now();
    const jobs = timers.map(({ seconds, url }) => ({ name: 'timer', data: { url }, opts: options(randomUUID(), seconds, now), fireAt: now + seconds * 1000 }));
    await queue.addBulk(jobs);
    return jobs.map((job) => ({ id: job.opts.jobId, fireAt: job.fireAt }));
  };
  const server = await serveCreate(intEnv('BENCH_PORT', 0), create, createBulk);
  return async () => {
    await closeServer(server);
    await queue.close();
  };
});
