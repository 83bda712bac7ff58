// Scenario "create-batch": POST /timers with BATCH_SIZE timers per request from BATCH_CLIENTS
// concurrent keep-alive clients for the create scenario's duration (after a 1 s warm-up); timers/s
// accepted and the request latency. The anchors store a batch with their bulk call (BullMQ addBulk,
// pg-boss insert). The timers are due in a day: they do not fire.
import { closedLoop } from '../load/closed-loop.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { FAR_SECONDS, type ScenarioContext } from './context.js';

export const BATCH_SIZE = 100;
export const BATCH_CLIENTS = 32;

export async function runCreateBatch(ctx: ScenarioContext): Promise<BenchResult> {
  const { api, receiver, opts } = ctx;
  const url = `${receiver.url}?scenario=create-batch`;
  let accepted = 0;
  let refused = 0;
  const op = async () => {
    const taken = await api.createBatch(FAR_SECONDS, url, BATCH_SIZE);
    accepted += taken;
    refused += BATCH_SIZE - taken;
    return taken === BATCH_SIZE;
  };
  await closedLoop({ concurrency: BATCH_CLIENTS, durationMs: 1_000, op });
  accepted = 0;
  refused = 0;
  const run = await closedLoop({ concurrency: BATCH_CLIENTS, durationMs: opts.createSeconds * 1000, op });
  const rate = Math.round(accepted / (run.elapsedMs / 1000));
  const latency = summarize(run.latenciesMs);
  ctx.say(
    `create-batch: ${accepted} accepted, ${refused} refused, in ${run.ok + run.failed} requests of ${BATCH_SIZE} over ${Math.round(run.elapsedMs)} ms = ${rate} timers/s; request latency p50 ${latency.p50} p99 ${latency.p99} ms`,
  );
  if (run.firstError) ctx.say(`  first error: ${run.firstError}`);
  await ctx.system.settle();
  return result(ctx.system.name, 'create-batch', { rate_per_s: rate, ...percentiles(latency), ok: accepted, failed: refused, concurrency: BATCH_CLIENTS, batch_size: BATCH_SIZE });
}
