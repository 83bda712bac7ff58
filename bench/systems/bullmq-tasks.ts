// BullMQ's tasks for the bench, from the bench process: Queue.add of "noop" jobs, finished ones counted
// from QueueEvents' "completed" events, and the round trip as Queue.add("sum") + job.waitUntilFinished.
import { Queue, QueueEvents } from 'bullmq';
import { TASK_QUEUE, connection } from '../anchors/bullmq-common.js';
import type { TaskSystem } from './system.js';

const ROUND_TRIP_TIMEOUT_MS = 30_000;

export async function bullmqTasks(prefix: string): Promise<TaskSystem & { close(): Promise<void> }> {
  const queue = new Queue(TASK_QUEUE, { connection, prefix });
  const events = new QueueEvents(TASK_QUEUE, { connection, prefix });
  // Each waiting round trip (job.waitUntilFinished) listens on both, for its outcome on the events and
  // for 'closing' on the queue; the bench runs 16 at once.
  events.setMaxListeners(64);
  queue.setMaxListeners(64);
  let completed = 0;
  events.on('completed', () => {
    completed += 1;
  });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // Kept until the bench removes the prefix: waitUntilFinished fails on a job already removed.
  const options = { removeOnComplete: { age: 3_600 }, removeOnFail: { age: 3_600 } };
  return {
    roundTripPath: 'Queue.add + job.waitUntilFinished (QueueEvents) from the bench process, no HTTP',
    async submitNoop() {
      await queue.add('noop', {}, options);
      return true;
    },
    finishedNoops: async () => completed,
    async roundTrip() {
      const job = await queue.add('sum', { numbers: [1, 2] }, options);
      return (await job.waitUntilFinished(events, ROUND_TRIP_TIMEOUT_MS)) === 3;
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}
