// Scenario "tasks": background tasks on systems that run them (the timer service, BullMQ). No-op tasks
// end to end: submit `taskCount` from 256 concurrent clients and time until the last has finished. Then
// the synchronous round trip: 16 clients each submitting a sum of [1, 2] and waiting for its result
// (the timer service: POST /sync/sum through nginx, direct reply-to; BullMQ: Queue.add +
// job.waitUntilFinished from the bench process).
import { performance } from 'node:perf_hooks';
import { closedLoop } from '../load/closed-loop.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { sleep, type ScenarioContext } from './context.js';

const ROUND_TRIP_CLIENTS = 16;
const DRAIN_TIMEOUT_MS = 120_000;

export async function runTasks(ctx: ScenarioContext): Promise<BenchResult[]> {
  const tasks = ctx.system.tasks;
  if (!tasks) return [];
  const { opts } = ctx;
  const before = await tasks.finishedNoops();
  const t0 = performance.now();
  const submitted = await closedLoop({ concurrency: opts.concurrency, count: opts.taskCount, op: () => tasks.submitNoop() });
  let finished = (await tasks.finishedNoops()) - before;
  while (finished < submitted.ok && performance.now() - t0 < DRAIN_TIMEOUT_MS) {
    await sleep(20);
    finished = (await tasks.finishedNoops()) - before;
  }
  const elapsedMs = performance.now() - t0;
  const rate = Math.round(finished / (elapsedMs / 1000));
  ctx.say(`tasks: ${submitted.ok} no-op tasks submitted (${submitted.failed} failed), ${finished} finished in ${Math.round(elapsedMs)} ms = ${rate}/s`);
  if (submitted.firstError) ctx.say(`  first error: ${submitted.firstError}`);

  const trips = await closedLoop({ concurrency: ROUND_TRIP_CLIENTS, count: opts.roundTrips, op: () => tasks.roundTrip() });
  const latency = summarize(trips.latenciesMs);
  const tripRate = Math.round(trips.ok / (trips.elapsedMs / 1000));
  ctx.say(`task round trip: ${trips.ok} ok (${trips.failed} failed), ${tripRate}/s; p50 ${latency.p50} p99 ${latency.p99} ms (${tasks.roundTripPath})`);
  if (trips.firstError) ctx.say(`  first error: ${trips.firstError}`);
  return [
    result(ctx.system.name, 'tasks', { rate_per_s: rate, drain_ms: Math.round(elapsedMs), ok: submitted.ok, failed: submitted.failed, finished, missing_tasks: submitted.ok - finished }),
    result(ctx.system.name, 'task-round-trip', { rate_per_s: tripRate, ...percentiles(latency), ok: trips.ok, failed: trips.failed, concurrency: ROUND_TRIP_CLIENTS, path: tasks.roundTripPath }),
  ];
}
