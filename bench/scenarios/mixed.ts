// Scenario "mixed": a user's load, where timers are created while others fire. Timers are created at a
// steady rate (open loop, paced) for a fixed time, each due MIXED_DELAY_S after its creation, so that
// intake and firing overlap for most of the run. Per rate: lateness (webhook arrival - the fire_at of
// the 201 answer) p50/p99/max, the create latency, and the CPU of each process type per 1,000 timers
// over their whole life (read before the first creation and after the last delivery plus 2 s for the
// outcome writes).
import { performance } from 'node:perf_hooks';
import type { Created } from '../load/api-client.js';
import { paced } from '../load/paced.js';
import { costMeter } from '../metrics/cpu.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { deliveryCounts, lateness } from './lateness.js';
import { sleep, type ScenarioContext } from './context.js';

/** Each timer is due this long after it is created (whole seconds, as the API takes). */
export const MIXED_DELAY_S = 3;

/** The scenario's name at one rate, as the results and the table know it. */
export const mixedScenario = (rate: number) => `mixed-${rate}`;

export async function runMixed(ctx: ScenarioContext, rate: number): Promise<BenchResult> {
  const { api, receiver, opts, system } = ctx;
  const scenario = mixedScenario(rate);
  const count = rate * opts.mixedSeconds;
  const url = `${receiver.url}?scenario=${scenario}`;
  const created: Created[] = [];
  const createMs: number[] = [];
  const meter = costMeter(() => system.pidGroups());
  ctx.say(`${scenario}: creating ${count} timers at ${rate}/s, each due ${MIXED_DELAY_S} s later ...`);
  const run = await paced({
    rate,
    count,
    op: async () => {
      const sent = performance.now();
      const timer = await api.create(MIXED_DELAY_S, url);
      createMs.push(performance.now() - sent);
      if (timer) created.push(timer);
      return timer !== null;
    },
  });
  if (run.failed > 0) ctx.say(`  ${run.failed} creations failed; first error: ${run.firstError ?? 'non-201 answer'}`);
  const maxFireAt = created.reduce((max, t) => Math.max(max, t.fireAt), 0);
  await receiver.waitFor(
    created.map((t) => t.id),
    maxFireAt + 120_000 + count * 5,
  );
  await sleep(2_000);
  const { byProcess: cpuByProcess, total, benchProcess } = meter.perThousand(created.length);
  const late = lateness(created, receiver);
  const s = late.summary;
  const create = summarize(createMs);
  const sendLag = summarize(run.sendLagMs);
  ctx.say(
    `${scenario}: ${late.delivered}/${created.length} delivered, ${late.missing} missing, ${late.early} early; lateness p50 ${s.p50} p99 ${s.p99} max ${s.max} ms;` +
      ` create p50 ${create.p50} p99 ${create.p99} ms (pacer lag p99 ${sendLag.p99} ms)`,
  );
  ctx.say(`${scenario}: CPU s per 1k timers: ${JSON.stringify(cpuByProcess)} total ${total}`);
  return result(system.name, scenario, {
    rate_per_s: rate,
    ...percentiles(s),
    cpu_s_per_1k: total,
    ...deliveryCounts(created, run.failed, late, receiver),
    delay_s: MIXED_DELAY_S,
    create_p50_ms: create.p50,
    create_p99_ms: create.p99,
    create_max_ms: create.max,
    cpu_by_process: cpuByProcess,
    bench_process_cpu_s_per_1k: benchProcess,
  });
}
