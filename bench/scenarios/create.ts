// Scenario "create": POST /timer from 256 concurrent keep-alive clients for a fixed time (after a 1 s
// warm-up); timers/s answered 201 and the request latency. The timers are due in a day: they do not fire.
import { closedLoop } from '../load/closed-loop.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { FAR_SECONDS, type ScenarioContext } from './context.js';

const KEEP_IDS = 100_000;

export async function runCreate(ctx: ScenarioContext, scenario = 'create'): Promise<BenchResult> {
  const { api, receiver, opts } = ctx;
  const url = `${receiver.url}?scenario=${scenario}`;
  const ids: string[] = [];
  const op = async () => {
    const created = await api.create(FAR_SECONDS, url);
    if (created && ids.length < KEEP_IDS) ids.push(created.id);
    return created !== null;
  };
  await closedLoop({ concurrency: opts.concurrency, durationMs: 1_000, op });
  const run = await closedLoop({ concurrency: opts.concurrency, durationMs: opts.createSeconds * 1000, op });
  const rate = Math.round(run.ok / (run.elapsedMs / 1000));
  const latency = summarize(run.latenciesMs);
  ctx.say(`${scenario}: ${run.ok} created (${run.failed} failed) in ${Math.round(run.elapsedMs)} ms = ${rate}/s; latency p50 ${latency.p50} p99 ${latency.p99} ms`);
  if (run.firstError) ctx.say(`  first error: ${run.firstError}`);
  // The first create run sizes the later scenarios (steady's delay, the burst's creation window).
  ctx.createRate ??= rate;
  if (scenario === 'create') {
    ctx.createdIds = ids;
    ctx.createP50Ms = latency.p50;
  }
  await ctx.system.settle();
  return result(ctx.system.name, scenario, { rate_per_s: rate, ...percentiles(latency), ok: run.ok, failed: run.failed, concurrency: opts.concurrency });
}
