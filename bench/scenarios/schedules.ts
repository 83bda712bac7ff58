// Scenario "schedules": N recurring schedules, each firing every 10 s (10,000; quick 2,000), their first
// instants spread evenly over one period from t0 (2 s after creation starts: 1 ms apart at 10,000, so
// 1,000 runs/s), created by 64 clients; then their runs are measured over a window of whole grid periods
// that starts once every schedule exists (--schedules-seconds, 60; quick 30). Per run whose instant lies
// in the window: lateness = first webhook arrival at the receiver - the instant the run was scheduled
// for (X-Schedule-Instant); runs expected vs received (missed runs); runs created twice (one
// (schedule, instant) under two run ids; the timer service also counts its stored runs, whatever their
// instant) and duplicate deliveries (one run id delivered again), all 0 when all is well. CPU of every
// process type from the window's start until the window's runs have arrived, per 1,000 runs delivered
// meanwhile (the creation of the schedules is not in it). pg-boss schedules by cron at minute
// resolution: one run per schedule a minute, its window on the minutes.
import { closedLoop } from '../load/closed-loop.js';
import { costMeter } from '../metrics/cpu.js';
import { summarize } from '../metrics/stats.js';
import { result, percentiles, type BenchResult } from '../report/result.js';
import { firstInstant, instantsIn, measuredWindow } from './schedule-window.js';
import { sleep, type ScenarioContext } from './context.js';

const CREATE_CLIENTS = 64;
/** from the start of creation to t0, the first schedule's first instant */
const LEAD_MS = 2_000;
/** between the last creation and the window's earliest start */
const SETTLE_MS = 2_000;
/** how long after the window's end its runs may still arrive, beyond one period */
const GRACE_MS = 30_000;
const MINUTE_MS = 60_000;
/**
 * pg-boss records no instant on a run, so its runs count against the minute of their creation; a run
 * created over a minute late would count against the next minute. Lateness this close to a minute says
 * that may have happened.
 */
const DOUBTFUL_MINUTE_LATENESS_MS = 45_000;

export async function runSchedules(ctx: ScenarioContext): Promise<BenchResult | null> {
  const { receiver, opts, system } = ctx;
  const schedules = system.schedules;
  if (!schedules) {
    ctx.say('schedules: skipped (the system has no recurring schedules)');
    return null;
  }
  const count = Math.min(opts.schedulesCount, schedules.maxSchedules ?? Infinity);
  const url = `${receiver.url}?scenario=schedules`;
  const firsts = new Map<string, number>();
  await schedules.open();
  try {
    const t0 = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
    ctx.say(`schedules: creating ${count} schedules (${schedules.cadence}), first instants from ${new Date(t0).toISOString()} ...`);
    const creation = await closedLoop({
      concurrency: CREATE_CLIENTS,
      count,
      op: async (i) => {
        const startAt = firstInstant(t0, i, count, schedules.periodMs);
        firsts.set(await schedules.create(i, startAt, url), startAt);
        return true;
      },
    });
    const creationEnd = Date.now();
    const createRate = Math.round(creation.ok / (creation.elapsedMs / 1000));
    ctx.say(`schedules: ${creation.ok} created (${creation.failed} failed) in ${Math.round(creation.elapsedMs)} ms = ${createRate}/s`);
    if (creation.firstError) ctx.say(`  first error: ${creation.firstError}`);
    const ids = new Set(firsts.keys());
    const grid = schedules.onMinutes ? { originMs: 0, periodMs: MINUTE_MS } : { originMs: t0, periodMs: schedules.periodMs };
    const window = measuredWindow(grid, creationEnd + SETTLE_MS, opts.schedulesSeconds);
    let expected = 0;
    for (const first of firsts.values()) expected += schedules.onMinutes ? instantsIn(0, MINUTE_MS, window.start, window.end) : instantsIn(first, schedules.periodMs, window.start, window.end);
    ctx.say(`schedules: measuring the runs due from ${new Date(window.start).toISOString()} to ${new Date(window.end).toISOString()} (${expected} expected) ...`);

    await sleep(window.start - Date.now());
    const meterStart = Date.now();
    const meter = costMeter(() => system.pidGroups());
    await sleep(window.end - Date.now());
    const deadline = window.end + schedules.periodMs + GRACE_MS;
    while (receiver.scheduleRuns.counts(ids, window.start, window.end).received < expected && Date.now() < deadline) await sleep(200);
    const meterEnd = Date.now();
    const cpuRuns = receiver.scheduleRuns.deliveredBetween(ids, meterStart, meterEnd);
    // With no run delivered there is nothing to divide by: the CPU is reported as null.
    const cpu = cpuRuns > 0 ? meter.perThousand(cpuRuns) : null;

    const runs = receiver.scheduleRuns.counts(ids, window.start, window.end);
    const s = summarize(runs.latenessMs);
    const missing = Math.max(0, expected - runs.received);
    const early = runs.latenessMs.filter((ms) => ms < 0).length;
    ctx.say(
      `schedules: ${runs.received}/${expected} runs received, ${missing} missing, ${early} early, ${runs.createdTwice} created twice, ${runs.duplicateDeliveries} duplicate deliveries;` +
        ` lateness p50 ${s.p50} p99 ${s.p99} max ${s.max} ms`,
    );
    const storedTwice = schedules.storedTwice ? await schedules.storedTwice([...ids]) : null;
    if (storedTwice !== null) ctx.say(`schedules: ${storedTwice} (schedule, instant) pairs stored as more than one run`);
    const doubtful = schedules.onMinutes && (s.max ?? 0) > DOUBTFUL_MINUTE_LATENESS_MS;
    if (doubtful) ctx.say(`schedules: WARNING runs came up to ${s.max} ms after their minute: some may count against the next minute (missed here)`);
    ctx.say(`schedules: CPU s per 1k runs (${cpuRuns} delivered in ${Math.round((meterEnd - meterStart) / 1000)} s): ${JSON.stringify(cpu?.byProcess ?? null)} total ${cpu?.total ?? null}`);
    return result(system.name, 'schedules', {
      rate_per_s: Math.round(runs.received / opts.schedulesSeconds),
      ...percentiles(s),
      cpu_s_per_1k: cpu?.total ?? null,
      cadence: schedules.cadence,
      schedules: ids.size,
      failed: creation.failed,
      create_rate_per_s: createRate,
      runs_expected: expected,
      runs_received: runs.received,
      missing,
      runs_created_twice: runs.createdTwice,
      runs_stored_twice: storedTwice,
      duplicate_deliveries: runs.duplicateDeliveries,
      deliveries: runs.deliveries,
      early,
      min_ms: s.min,
      instants_doubtful: doubtful,
      window_start: new Date(window.start).toISOString(),
      window_s: opts.schedulesSeconds,
      cpu_by_process: cpu?.byProcess ?? null,
      bench_process_cpu_s_per_1k: cpu?.benchProcess ?? null,
      cpu_runs: cpuRuns,
    });
  } finally {
    await schedules.close();
  }
}
