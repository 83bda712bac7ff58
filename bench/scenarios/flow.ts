// Scenario "flow": a key's limit on deliveries, on the same work for every system that has one. N timers
// (5,000; quick 1,000; --flow-count) on a key limited to 50 deliveries a second and 10 in flight, and
// 500 (--flow-free) on a free key, all due at one instant T, created ahead (T whole seconds, at least
// 10 s after creation starts; quick 5 s), the limited ones first. The receiver answers each webhook
// after 20 ms. Figures: the limited key's rate over its span (first to last arrival at the receiver)
// against the limit, the most of its arrivals within any 1 s, the most of its requests open at the
// receiver at once; the free key's lateness (arrival - T), where waiting behind the limited key would
// show. CPU of every process type from the end of creation (every timer stored) to the last arrival,
// per 1,000 timers of both keys. A system without a rate limit is skipped.
import { costMeter } from '../metrics/cpu.js';
import { round, summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import type { FlowLimit } from '../systems/system.js';
import { achievedRate, maxInWindow } from './flow-window.js';
import type { ScenarioContext } from './context.js';

const LIMIT: FlowLimit = { rate: 50, periodS: 1, parallelism: 10 };
/** how long the receiver takes to answer each webhook */
const ANSWER_MS = 20;
const WINDOW_MS = 1_000;
/** from the start of creation to T: creation and storing are done well before */
const LEAD_MS = 10_000;
const QUICK_LEAD_MS = 5_000;
/** how long past twice the limited key's expected drain the webhooks may still arrive */
const GRACE_MS = 30_000;

export async function runFlow(ctx: ScenarioContext): Promise<BenchResult | null> {
  const { receiver, opts, system } = ctx;
  const flow = system.flow;
  if (!flow) {
    ctx.say('flow: skipped (the system has no rate limit on deliveries)');
    return null;
  }
  // Lanes named by system: the receiver serves every system of the run.
  const lanes = { limited: `flow-limited-${system.name}`, free: `flow-free-${system.name}` };
  const hook = (lane: string) => `${receiver.url}?scenario=flow&lane=${lane}&answer_ms=${ANSWER_MS}`;
  await flow.open(LIMIT);
  try {
    const due = Math.ceil((Date.now() + (opts.quick ? QUICK_LEAD_MS : LEAD_MS)) / 1000) * 1000;
    ctx.say(
      `flow: creating ${opts.flowCount} timers on a key limited to ${LIMIT.rate} per ${LIMIT.periodS} s and ${LIMIT.parallelism} in flight, and ${opts.flowFreeCount} on a free key, all due at ${new Date(due).toISOString()} (${flow.limiter}) ...`,
    );
    const started = Date.now();
    const limited = await flow.create(opts.flowCount, due, hook(lanes.limited), true);
    const free = await flow.create(opts.flowFreeCount, due, hook(lanes.free), false);
    const creationEnd = Date.now();
    const overran = creationEnd > due;
    ctx.say(`flow: ${limited.length + free.length} created in ${creationEnd - started} ms`);
    if (overran) ctx.say(`flow: WARNING creation ended ${creationEnd - due} ms after the due instant`);
    await system.settle();
    const all = [...limited, ...free];
    const meter = costMeter(() => system.pidGroups());
    const drainMs = (opts.flowCount * LIMIT.periodS * 1000) / LIMIT.rate;
    const missing = await receiver.waitFor(all, due + 2 * drainMs + GRACE_MS);
    const cpu = meter.perThousand(all.length);

    const arrivalsOf = (ids: string[]) => ids.flatMap((id) => receiver.arrivals.get(id) ?? []);
    const limitedAt = arrivalsOf(limited);
    const freeLateness = arrivalsOf(free).map((at) => at - due);
    const s = summarize(freeLateness);
    const rate = achievedRate(limitedAt);
    const mostInWindow = maxInWindow(limitedAt, WINDOW_MS);
    const lane = receiver.lanes.get(lanes.limited);
    const requests = (lane?.requests ?? 0) + (receiver.lanes.get(lanes.free)?.requests ?? 0);
    const duplicates = requests - limitedAt.length - freeLateness.length;
    const first = limitedAt.length > 0 ? Math.min(...limitedAt) - due : null;
    const last = limitedAt.length > 0 ? Math.max(...limitedAt) - due : null;
    const early = freeLateness.filter((ms) => ms < 0).length;
    ctx.say(
      `flow: limited key ${limitedAt.length}/${limited.length} delivered at ${rate === null ? '-' : round(rate)}/s (limit ${LIMIT.rate}), most in any 1 s ${mostInWindow},` +
        ` most in flight ${lane?.maxInFlight ?? 0}; first ${first} ms, last ${last} ms after the due instant`,
    );
    ctx.say(
      `flow: free key ${freeLateness.length}/${free.length} delivered, ${early} early; lateness p50 ${s.p50} p99 ${s.p99} max ${s.max} ms; ${missing} missing, ${duplicates} duplicate deliveries`,
    );
    ctx.say(`flow: CPU s per 1k timers (from the end of creation to the last arrival): ${JSON.stringify(cpu.byProcess)} total ${cpu.total}`);
    return result(system.name, 'flow', {
      rate_per_s: rate === null ? null : round(rate),
      ...percentiles(s),
      drain_ms: last,
      cpu_s_per_1k: cpu.total,
      limiter: flow.limiter,
      limit: LIMIT,
      answer_ms: ANSWER_MS,
      limited: limited.length,
      limited_delivered: limitedAt.length,
      max_per_1s_window: mostInWindow,
      max_in_flight: lane?.maxInFlight ?? null,
      limited_first_ms: first,
      free: free.length,
      free_delivered: freeLateness.length,
      missing,
      early,
      min_ms: s.min,
      duplicate_deliveries: duplicates,
      cpu_s: round((cpu.total * all.length) / 1000, 2),
      cpu_by_process: cpu.byProcess,
      bench_process_cpu_s_per_1k: cpu.benchProcess,
      creation_overran_due: overran,
    });
  } finally {
    await flow.close();
  }
}
