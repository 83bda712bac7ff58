// BullMQ's recurring schedules for the bench: job schedulers (Queue.upsertJobScheduler with `every` and
// a startDate) upserted from the bench process on a queue of their own, and a worker process type for
// their jobs (bench/anchors/bullmq-worker.ts on that queue), started for the schedules scenario only.
// BullMQ makes each next job when the previous one is taken by a worker; its id carries the instant.
import { Queue } from 'bullmq';
import { SCHEDULE_QUEUE, connection } from '../anchors/bullmq-common.js';
import { startAnchor, type AnchorProcess } from './anchor-process.js';
import type { ScheduleSystem } from './system.js';

const PERIOD_MS = 10_000;
const REMOVE_CONCURRENCY = 64;

export function bullmqSchedules(prefix: string, env: Record<string, string>, runDir: string): ScheduleSystem & { workerPid(): number | null } {
  let queue: Queue | null = null;
  let worker: AnchorProcess | null = null;
  const ids: string[] = [];
  return {
    cadence: 'every 10 s (job scheduler)',
    periodMs: PERIOD_MS,
    onMinutes: false,
    async open() {
      queue = new Queue(SCHEDULE_QUEUE, { connection, prefix });
      await queue.waitUntilReady();
      worker = await startAnchor('bullmq-worker.ts', { ...env, BENCH_QUEUE: SCHEDULE_QUEUE }, runDir);
    },
    async create(i, startAt, url) {
      const id = `bullmq-${i}`;
      await queue!.upsertJobScheduler(id, { every: PERIOD_MS, startDate: startAt }, { name: 'run', data: { url }, opts: { removeOnComplete: true, removeOnFail: true, attempts: 1 } });
      ids.push(id);
      return id;
    },
    async close() {
      const open = queue;
      if (open) {
        for (let at = 0; at < ids.length; at += REMOVE_CONCURRENCY) await Promise.all(ids.slice(at, at + REMOVE_CONCURRENCY).map((id) => open.removeJobScheduler(id)));
        ids.length = 0;
      }
      await worker?.stop();
      worker = null;
      await open?.close();
      queue = null;
    },
    workerPid: () => worker?.pid ?? null,
  };
}
