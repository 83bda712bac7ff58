// Scenario "horizon": the create and steady scenarios again once N timers due ~300 days from now are
// stored (inserted straight into the main table and the shards with SQL, to save time); their figures
// are compared with the first runs, which they should match within 10 %.
import type { BenchResult } from '../report/result.js';
import { runCreate } from './create.js';
import { runSteady } from './steady.js';
import type { ScenarioContext } from './context.js';

export async function runHorizon(ctx: ScenarioContext): Promise<BenchResult[]> {
  const { system, opts } = ctx;
  if (!system.seedHorizon) return [];
  const started = Date.now();
  ctx.say(`horizon: inserting ${opts.horizonCount} far-future timers with SQL ...`);
  await system.seedHorizon(opts.horizonCount);
  ctx.say(`horizon: inserted in ${Math.round((Date.now() - started) / 1000)} s`);
  const create = await runCreate(ctx, 'horizon-create');
  const steady = await runSteady(ctx, 'horizon-steady');
  return [create, ...steady].map((r) => ({ ...r, pending_far_future: opts.horizonCount }));
}
