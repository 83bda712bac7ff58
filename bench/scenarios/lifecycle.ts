// Scenario "lifecycle": retention's removal of finished timers while timers fire. N finished timers
// (10,000,000; quick 1,000,000; --lifecycle) issued 20 to 10 days ago and long expired are stored
// straight away with SQL; then the steady scenario runs twice, the retention process started as its first
// timer falls due: first with its removal off (lifecycle-baseline), then on, sweeping every second
// (lifecycle-removal), so that the seeded timers are removed while the run's timers fire. Figures: lateness p99 of both
// runs and their ratio (target: within 10 %), how long the removal took (the seeded parts watched from
// the sweeping's start until none is left), and the tables' bytes on disk before seeding, with the
// seeded timers, after removal, and of the parts that hold only what is retained (target: after removal
// back near that). Timer service only.
import type { BenchResult } from '../report/result.js';
import type { LifecycleSystem } from '../systems/system.js';
import { lifecycleFigures, seededSpan, type RemovalTimes } from './lifecycle-figures.js';
import { runSteady, type FiringSpan } from './steady.js';
import { sleep, type ScenarioContext } from './context.js';

/** the removal's sweep interval in the run with removal */
const SWEEP_MS = 1_000;
/** how often the seeded parts are counted while the removal runs */
const WATCH_MS = 250;
/** how long after the last timer due the removal may still finish */
const WATCH_GRACE_MS = 120_000;

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

/**
 * Starts the retention process as the first timer of `span` falls due: in both runs, so that both pay
 * for its start and the runs differ by the removal alone (its first sweep follows at once).
 */
async function startRetention(lifecycle: LifecycleSystem, span: FiringSpan, intervalMs: number): Promise<number> {
  await sleep(span.firstDueAt - Date.now());
  const from = Date.now();
  await lifecycle.sweep(intervalMs);
  return from;
}

/** Starts the removal as `span` falls due, then counts the seeded parts until none is left. */
async function removeWhileFiring(lifecycle: LifecycleSystem, span: FiringSpan, parts: number): Promise<RemovalTimes> {
  const sweepingFrom = await startRetention(lifecycle, span, SWEEP_MS);
  const times: RemovalTimes = { sweepingFrom, firstGoneAt: null, allGoneAt: null };
  const deadline = span.lastDueAt + WATCH_GRACE_MS;
  while (Date.now() < deadline) {
    const left = await lifecycle.seededParts();
    const at = Date.now();
    if (left < parts) times.firstGoneAt ??= at;
    if (left === 0) {
      times.allGoneAt = at;
      break;
    }
    await sleep(WATCH_MS);
  }
  return times;
}

export async function runLifecycle(ctx: ScenarioContext): Promise<BenchResult[]> {
  const { system, opts } = ctx;
  const lifecycle = system.lifecycle;
  if (!lifecycle) {
    ctx.say('lifecycle: skipped (the system has no retention of its own)');
    return [];
  }
  try {
    const empty = await lifecycle.snapshot();
    const { fromMs, toMs } = seededSpan(Date.now());
    ctx.say(`lifecycle: inserting ${opts.lifecycleCount} finished timers issued ${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()} with SQL ...`);
    const started = Date.now();
    await lifecycle.seed(opts.lifecycleCount, fromMs, toMs);
    const seeded = await lifecycle.snapshot();
    ctx.say(`lifecycle: inserted in ${Math.round((Date.now() - started) / 1000)} s; ${mb(empty.bytes)} before, ${mb(seeded.bytes)} with them, in ${seeded.seededParts} parts`);

    const baseline = await runSteady(ctx, 'lifecycle-baseline', async (span) => {
      await startRetention(lifecycle, span, 0);
    });
    await lifecycle.close();
    const during: { span?: FiringSpan; removal?: RemovalTimes } = {};
    const withRemoval = await runSteady(ctx, 'lifecycle-removal', async (span) => {
      during.span = span;
      during.removal = await removeWhileFiring(lifecycle, span, seeded.seededParts);
    });
    // Sizes read once the removal has stopped (a sweep every second would make and drop partitions meanwhile).
    await lifecycle.close();
    const after = await lifecycle.snapshot();
    const left = after.seededParts === 0 ? await lifecycle.seededLeft() : null;
    const figures = lifecycleFigures({
      baselineP99: baseline[0]!.p99_ms,
      cleanupP99: withRemoval[0]!.p99_ms,
      empty,
      seeded,
      after,
      removal: during.removal!,
      span: during.span!,
    });
    ctx.say(
      `lifecycle: lateness p99 ${figures.p99_ms_without_removal} ms without removal, ${figures.p99_ms_with_removal} ms with it (${figures.p99_ratio}x, ` +
        `${figures.p99_within_10_percent ? 'within 10 %' : 'NOT within 10 %'}); removal ${figures.removal_ms ?? 'unfinished'} ms from the sweeping's start ` +
        `(${figures.removal_first_after_first_due_ms} to ${figures.removal_done_after_first_due_ms} ms after the first timer due, firing for ${figures.firing_ms} ms)`,
    );
    ctx.say(
      `lifecycle: ${mb(figures.bytes_before_removal)} before removal, ${mb(figures.bytes_after_removal)} after, ${mb(figures.bytes_retained)} retained (${figures.after_to_retained}x); ` +
        `${figures.seeded_parts_left} of ${figures.seeded_parts} seeded parts left, ${left ?? 'not counted:'} seeded timers left`,
    );
    return [...baseline, { ...withRemoval[0]!, seeded_timers: opts.lifecycleCount, removal: lifecycle.removal, seeded_timers_left: left, ...figures }, ...withRemoval.slice(1)];
  } finally {
    await lifecycle.close();
  }
}
