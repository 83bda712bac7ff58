// Scenario "burst": N timers due at one instant T. The API takes whole seconds and computes
// fire_at = now + seconds, so each POST asks for seconds = round((T - now) / 1000): the fire_at values
// fall within about a second around T. Reported: lateness per timer vs its own fire_at, and
// drain_ms = last arrival - the latest fire_at. T leaves time to create all N first (sized from the
// create scenario's rate); creations that overrun T are counted. Created by 64 clients, not 256: the
// server computes fire_at when it handles the request, so a long server-side queue would smear the
// fire_at values over several seconds (the creation rate is the same, the spread much smaller).
import type { Created } from '../load/api-client.js';
import { closedLoop } from '../load/closed-loop.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { deliveryCounts, lateness } from './lateness.js';
import { sampleQueues } from './queue-sampler.js';
import type { ScenarioContext } from './context.js';
import { costMeter } from '../metrics/cpu.js';

export async function runBurst(ctx: ScenarioContext): Promise<BenchResult> {
  const { api, receiver, opts, system } = ctx;
  const count = opts.burstCount;
  const clients = Math.min(64, opts.concurrency);
  // Expected creation rate with `clients` clients: the measured rate, or clients / median latency if
  // that is lower (a closed loop of fewer clients is slower when the latency does not shrink with it).
  const expected = Math.min(ctx.createRate ?? 500, ctx.createP50Ms ? (clients * 1000) / ctx.createP50Ms : Infinity);
  const rate = Math.max(100, expected * 0.7);
  const target = Math.ceil((Date.now() + (count / rate) * 1000 + 4_000) / 1000) * 1000;
  const url = `${receiver.url}?scenario=burst`;
  const created: Created[] = [];
  ctx.say(`burst: creating ${count} timers due at ${new Date(target).toISOString()} (in ${Math.round((target - Date.now()) / 1000)} s) ...`);
  const run = await closedLoop({
    concurrency: clients,
    count,
    op: async () => {
      const seconds = Math.max(0, Math.round((target - Date.now()) / 1000));
      const timer = await api.create(seconds, url);
      if (timer) created.push(timer);
      return timer !== null;
    },
  });
  const creationEnd = Date.now();
  const late0 = lateness(created, receiver);
  const overran = creationEnd > late0.minFireAt;
  if (overran) ctx.say(`burst: WARNING creation ended ${creationEnd - late0.minFireAt} ms after the earliest fire_at`);
  if (run.failed > 0) ctx.say(`  ${run.failed} creations failed; first error: ${run.firstError ?? 'non-201 answer'}`);
  await system.settle();
  // The firing side's CPU: from the end of creation (every timer stored) to the last arrival.
  const meter = costMeter(() => system.pidGroups());
  const stopSampling = sampleQueues(system);
  await receiver.waitFor(
    created.map((t) => t.id),
    late0.maxFireAt + 60_000 + count * 10,
  );
  const { byProcess: fireCpu, total: fireCpuTotal } = meter.perThousand(created.length);
  const maxQueueDepth = await stopSampling();
  if (maxQueueDepth) ctx.say(`burst: most ready messages seen per queue: ${JSON.stringify(maxQueueDepth)}`);
  const late = lateness(created, receiver);
  const drain = late.missing === 0 ? late.lastArrival - late.maxFireAt : null;
  const s = late.summary;
  ctx.say(
    `burst: ${late.delivered}/${created.length} delivered, ${late.missing} missing, ${late.early} early; fire_at spread ${late.maxFireAt - late.minFireAt} ms;` +
      ` drain ${drain} ms; lateness p50 ${s.p50} p99 ${s.p99} max ${s.max} ms`,
  );
  ctx.say(`burst: CPU s per 1k timers while firing: ${JSON.stringify(fireCpu)} total ${fireCpuTotal}`);
  const span = (late.lastArrival - late.minFireAt) / 1000;
  return result(system.name, 'burst', {
    rate_per_s: span > 0 ? Math.round(late.delivered / span) : null,
    ...percentiles(s),
    drain_ms: drain,
    ...deliveryCounts(created, run.failed, late, receiver),
    max_ready_messages: maxQueueDepth,
    fire_at_spread_ms: late.maxFireAt - late.minFireAt,
    firing_cpu_s_per_1k: fireCpuTotal,
    firing_cpu_by_process: fireCpu,
    creation_overran_target: overran,
  });
}
