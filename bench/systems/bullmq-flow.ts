// BullMQ's counterpart of flow control for the bench: the limited timers are delayed jobs on a queue of
// their own whose workers (bench/anchors/bullmq-worker.ts on that queue, as many processes as the timer
// service has triggers, started for the flow scenario only) have BullMQ's rate limiter
// (`limiter: {max, duration}`, kept in Redis for every worker of the queue together) and the queue's
// global concurrency (Queue.setGlobalConcurrency: at most that many active jobs across its workers).
// The free timers are delayed jobs on the timers' queue, whose workers have no limiter. Jobs are added
// from the bench process with addBulk, due at the instant given.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { FLOW_QUEUE, QUEUE, connection } from '../anchors/bullmq-common.js';
import { startAnchor, type AnchorProcess } from './anchor-process.js';
import type { FlowLimit, FlowSystem } from './system.js';

const BATCH = 1_000;

export function bullmqFlow(prefix: string, env: Record<string, string>, runDir: string, workers: number): FlowSystem & { workerPid(): number | null } {
  let limited: Queue | null = null;
  let free: Queue | null = null;
  let worker: AnchorProcess | null = null;
  let limiter = '';
  return {
    get limiter() {
      return limiter;
    },
    async open(limit: FlowLimit) {
      limited = new Queue(FLOW_QUEUE, { connection, prefix });
      free = new Queue(QUEUE, { connection, prefix });
      await Promise.all([limited.waitUntilReady(), free.waitUntilReady()]);
      await limited.setGlobalConcurrency(limit.parallelism);
      const duration = limit.periodS * 1000;
      limiter = `Worker limiter {max: ${limit.rate}, duration: ${duration}} and setGlobalConcurrency(${limit.parallelism}), ${workers} worker processes x concurrency ${limit.parallelism}; free: the timers' queue, no limiter`;
      worker = await startAnchor(
        'bullmq-worker.ts',
        {
          ...env,
          BENCH_QUEUE: FLOW_QUEUE,
          BENCH_WORKERS: String(workers),
          BENCH_CONCURRENCY: String(limit.parallelism),
          BENCH_LIMIT_MAX: String(limit.rate),
          BENCH_LIMIT_DURATION_MS: String(duration),
        },
        runDir,
      );
    },
    async create(count, dueAt, url, isLimited) {
      const queue = isLimited ? limited! : free!;
      const ids: string[] = [];
      for (let at = 0; at < count; at += BATCH) {
        const now = Date.now();
        const options = { delay: Math.max(0, dueAt - now), timestamp: now, removeOnComplete: true, removeOnFail: true, attempts: 1 };
        const jobs = Array.from({ length: Math.min(BATCH, count - at) }, () => ({ name: 'timer', data: { url }, opts: { ...options, jobId: randomUUID() } }));
        await queue.addBulk(jobs);
        ids.push(...jobs.map((job) => job.opts.jobId));
      }
      return ids;
    },
    async close() {
      await worker?.stop();
      worker = null;
      await limited?.close();
      await free?.close();
      limited = free = null;
    },
    workerPid: () => worker?.pid ?? null,
  };
}
