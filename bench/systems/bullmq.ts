// The BullMQ anchor: delayed jobs in the local Redis under a key prefix of its own, a create endpoint
// (cluster of 2) and workers (2 processes x concurrency 256). stop() removes every key of the prefix.
import { Redis } from 'ioredis';
import type { BenchOptions } from '../options.js';
import { withChildren } from '../metrics/cpu.js';
import { startAnchor, type AnchorProcess } from './anchor-process.js';
import { redisPids } from './shared-servers.js';
import { REDIS_URL, type SystemUnderTest } from './system.js';
import { bullmqTasks } from './bullmq-tasks.js';
import { bullmqSchedules } from './bullmq-schedules.js';
import { bullmqFlow } from './bullmq-flow.js';

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function startBullmq(opts: BenchOptions, port: number, runDir: string): Promise<SystemUnderTest> {
  const prefix = `bench_${process.pid}`;
  await deleteKeys(prefix);
  const env = { REDIS_URL, BENCH_PREFIX: prefix, BENCH_CONCURRENCY: '256' };
  const children: AnchorProcess[] = [];
  let tasks: Awaited<ReturnType<typeof bullmqTasks>> | null = null;
  const schedules = bullmqSchedules(prefix, { ...env, BENCH_WORKERS: String(opts.replicas.trigger) }, runDir);
  const flow = bullmqFlow(prefix, env, runDir, opts.replicas.trigger);
  const stop = async () => {
    await flow.close();
    await schedules.close();
    await tasks?.close();
    for (const child of children.reverse()) await child.stop();
    await deleteKeys(prefix);
  };
  try {
    children.push(await startAnchor('bullmq-worker.ts', { ...env, BENCH_WORKERS: String(opts.replicas.trigger) }, runDir));
    children.push(await startAnchor('bullmq-task-worker.ts', { ...env, BENCH_WORKERS: String(opts.replicas.worker), BENCH_CONCURRENCY: '32' }, runDir));
    tasks = await bullmqTasks(prefix);
    children.push(await startAnchor('bullmq-server.ts', { ...env, BENCH_WORKERS: String(opts.replicas.webserver), BENCH_PORT: String(port) }, runDir));
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const [worker, taskWorker, server] = children as [AnchorProcess, AnchorProcess, AnchorProcess];
  return {
    name: 'bullmq',
    apiUrl: `http://127.0.0.1:${port}`,
    settings: `bullmq delayed jobs; create endpoint: ${opts.replicas.webserver} processes (node:cluster, no nginx); workers: ${opts.replicas.trigger} processes x concurrency 256; removeOnComplete; tasks: ${opts.replicas.worker} worker processes x concurrency 32`,
    pidGroups: () => {
      const scheduleWorker = schedules.workerPid();
      const flowWorker = flow.workerPid();
      return {
        'anchor-http': withChildren(server.pid),
        'anchor-worker': withChildren(worker.pid),
        'anchor-task-worker': withChildren(taskWorker.pid),
        ...(scheduleWorker ? { 'anchor-schedule-worker': withChildren(scheduleWorker) } : {}),
        ...(flowWorker ? { 'anchor-flow-worker': withChildren(flowWorker) } : {}),
        redis: redisPids(),
      };
    },
    settle: async () => undefined,
    tasks: tasks!,
    schedules,
    flow,
    stop,
  };
}
