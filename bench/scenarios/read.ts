// Scenario "read": GET /timer/{id} from 256 concurrent keep-alive clients over the ids the create
// scenario made (all stored by then); requests/s answered 200 and their latency. Timer service only:
// the anchors' endpoint has no read.
import { closedLoop } from '../load/closed-loop.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import type { ScenarioContext } from './context.js';

export async function runRead(ctx: ScenarioContext): Promise<BenchResult | null> {
  const { api, opts, createdIds } = ctx;
  if (createdIds.length === 0) {
    ctx.say('read: skipped (needs the ids of the create scenario)');
    return null;
  }
  const op = async (i: number) => (await api.read(createdIds[i % createdIds.length]!)) === 200;
  await closedLoop({ concurrency: opts.concurrency, durationMs: 1_000, op });
  const run = await closedLoop({ concurrency: opts.concurrency, durationMs: opts.readSeconds * 1000, op });
  const rate = Math.round(run.ok / (run.elapsedMs / 1000));
  const latency = summarize(run.latenciesMs);
  ctx.say(`read: ${run.ok} answered 200 (${run.failed} other) = ${rate}/s; latency p50 ${latency.p50} p99 ${latency.p99} ms`);
  return result(ctx.system.name, 'read', { rate_per_s: rate, ...percentiles(latency), ok: run.ok, failed: run.failed, distinct_ids: createdIds.length });
}
