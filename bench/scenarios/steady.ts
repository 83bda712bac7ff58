// Scenario "steady" (and "cost"): 1,000 timers falling due per second. They are created ahead, paced
// at the same rate with one constant delay S (whole seconds, as the API takes), so fire_at =
// created_at + S spreads them evenly; S leaves a few seconds between the last creation and the first
// due time (sized from the create scenario's rate when creation is slower than the pace, in which
// case the timers fall due at the rate creation reached: reported as due_rate_per_s). Lateness per
// timer vs the fire_at of its 201 answer. CPU of every process type is read before the first creation
// and after the last delivery (plus 2 s for outcome writes).
import type { Created } from '../load/api-client.js';
import { paced } from '../load/paced.js';
import { costMeter } from '../metrics/cpu.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { deliveryCounts, lateness, latenessAfterFirstTenth, latenessTrend } from './lateness.js';
import { sleep, type ScenarioContext } from './context.js';

/** The span in which a steady run's timers fall due (epoch ms of the first and the last fire_at). */
export interface FiringSpan {
  firstDueAt: number;
  lastDueAt: number;
}

/**
 * `whileFiring`, when given, starts once every timer is created and runs alongside the deliveries (the
 * lifecycle scenario's removal); the run's figures wait for it.
 */
export async function runSteady(ctx: ScenarioContext, scenario = 'steady', whileFiring?: (span: FiringSpan) => Promise<void>): Promise<BenchResult[]> {
  const { api, receiver, opts, system } = ctx;
  const count = opts.steadyRate * opts.steadySeconds;
  const creationRate = Math.min(opts.steadyRate, ctx.createRate ?? opts.steadyRate);
  // Capped, so that one noisy create measurement cannot make the run wait for many minutes; should
  // creation then overrun the first due time, the run says so (creation_overlapped_firing).
  const delay = Math.min(Math.ceil(count / creationRate), opts.steadySeconds * 4) + (opts.quick ? 3 : 5);
  const url = `${receiver.url}?scenario=${scenario}`;
  const created: Created[] = [];
  const meter = costMeter(() => system.pidGroups());
  ctx.say(`${scenario}: creating ${count} timers at ${opts.steadyRate}/s with seconds=${delay} ...`);
  const run = await paced({
    rate: opts.steadyRate,
    count,
    op: async () => {
      const timer = await api.create(delay, url);
      if (timer) created.push(timer);
      return timer !== null;
    },
  });
  const sendLag = summarize(run.sendLagMs);
  // A second sample of the create rate (paced, so at most the pace) for sizing the burst.
  ctx.createRate = Math.max(ctx.createRate ?? 0, Math.round(run.ok / (run.elapsedMs / 1000)));
  if (run.failed > 0) ctx.say(`  ${run.failed} creations failed; first error: ${run.firstError ?? 'non-201 answer'}`);
  const maxFireAt = created.reduce((max, t) => Math.max(max, t.fireAt), 0);
  const creationEnd = Date.now();
  // Its failure is kept (not left unhandled while the deliveries are awaited) and thrown after them.
  const alongside = whileFiring?.({ firstDueAt: created.reduce((min, t) => Math.min(min, t.fireAt), Infinity), lastDueAt: maxFireAt }).then(
    () => null,
    (err: unknown) => err,
  );
  await receiver.waitFor(
    created.map((t) => t.id),
    maxFireAt + 120_000 + count * 5,
  );
  const failure = await alongside;
  if (failure) throw failure;
  await sleep(2_000);
  const { byProcess: cpuByProcess, total, benchProcess } = meter.perThousand(created.length);
  const late = lateness(created, receiver);
  const s = late.summary;
  const warm = latenessAfterFirstTenth(created, receiver);
  const dueRate = late.maxFireAt > late.minFireAt ? Math.round(created.length / ((late.maxFireAt - late.minFireAt) / 1000)) : null;
  if (creationEnd > late.minFireAt) ctx.say(`${scenario}: WARNING creation ended ${creationEnd - late.minFireAt} ms after the first timer fell due`);
  ctx.say(
    `${scenario}: ${late.delivered}/${created.length} delivered (due at ${dueRate}/s), ${late.missing} missing, ${late.early} early; lateness p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max} min ${s.min} ms` +
      ` (pacer lag p99 ${sendLag.p99} ms)`,
  );
  ctx.say(`${scenario}: lateness p50 by tenth of the timers (fire_at order): ${latenessTrend(created, receiver).join(' ')} ms; p99: ${latenessTrend(created, receiver, 'p99').join(' ')} ms`);
  ctx.say(`${scenario}: CPU s per 1k timers: ${JSON.stringify(cpuByProcess)} total ${total}`);
  const deliveredSpan = (late.lastArrival - late.minFireAt) / 1000;
  const common = {
    ...deliveryCounts(created, run.failed, late, receiver),
    delay_s: delay,
    due_rate_per_s: dueRate,
    p50_ms_after_first_tenth: warm.p50,
    p99_ms_after_first_tenth: warm.p99,
    creation_overlapped_firing: creationEnd > late.minFireAt,
  };
  const steady = result(system.name, scenario, {
    rate_per_s: deliveredSpan > 0 ? Math.round(late.delivered / deliveredSpan) : null,
    ...percentiles(s),
    cpu_s_per_1k: total,
    ...common,
  });
  const cost = result(system.name, scenario === 'steady' ? 'cost' : `${scenario}-cost`, {
    cpu_s_per_1k: total,
    cpu_by_process: cpuByProcess,
    bench_process_cpu_s_per_1k: benchProcess,
    timers: created.length,
  });
  return [steady, cost];
}
