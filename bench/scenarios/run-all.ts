// The scenarios of one system, in order: create (its ids feed read, its rate sizes the burst), a
// warm-up of the firing path, steady with the cost measurement, mixed (creating while firing) at each rate, burst, batch create, read, access logs, tasks (no-op
// throughput, sync round trip), recurring schedules, a key's limit on deliveries (flow), retention's removal of old finished
// timers while timers fire (lifecycle: its seeded timers are gone after it), then horizon (which grows the backlog, so it comes last).
import type { BenchResult } from '../report/result.js';
import type { ScenarioContext } from './context.js';
import { runCreate } from './create.js';
import { runCreateBatch } from './create-batch.js';
import { runSteady } from './steady.js';
import { runMixed } from './mixed.js';
import { runBurst } from './burst.js';
import { runRead } from './read.js';
import { runHorizon } from './horizon.js';
import { runLogs } from './logs.js';
import { warmUp } from './warmup.js';
import { runTasks } from './tasks.js';
import { runSchedules } from './schedules.js';
import { runFlow } from './flow.js';
import { runLifecycle } from './lifecycle.js';

export async function runScenarios(ctx: ScenarioContext): Promise<BenchResult[]> {
  const only = new Set(ctx.opts.only);
  const anchor = ctx.system.name !== 'timer-service';
  const results: BenchResult[] = [];
  if (only.has('create') || (only.has('read') && !anchor)) {
    const create = await runCreate(ctx);
    if (only.has('create')) results.push(create);
  }
  // The flow scenario fires only on a system with a rate limit (pg-boss is skipped).
  const runsFlow = only.has('flow') && ctx.system.flow !== undefined;
  // The lifecycle scenario only where the system has a retention of its own (the timer service).
  const runsLifecycle = only.has('lifecycle') && ctx.system.lifecycle !== undefined;
  if (only.has('steady') || only.has('mixed') || only.has('burst') || runsFlow || runsLifecycle || only.has('horizon')) await warmUp(ctx);
  if (only.has('steady')) results.push(...(await runSteady(ctx)));
  if (only.has('mixed')) for (const rate of ctx.opts.mixedRates) results.push(await runMixed(ctx, rate));
  if (only.has('burst')) results.push(await runBurst(ctx));
  // After steady and burst: the batch run leaves hundreds of thousands of far-future jobs behind,
  // which would otherwise be the backlog every system's steady and burst run against.
  if (only.has('create-batch')) results.push(await runCreateBatch(ctx));
  if (only.has('read') && !anchor) {
    const read = await runRead(ctx);
    if (read) results.push(read);
  }
  if (only.has('logs') && !anchor) results.push(...(await runLogs(ctx)));
  if (only.has('tasks')) results.push(...(await runTasks(ctx)));
  if (only.has('schedules')) {
    const schedules = await runSchedules(ctx);
    if (schedules) results.push(schedules);
  }
  if (only.has('flow')) {
    const figures = await runFlow(ctx);
    if (figures) results.push(figures);
  }
  if (only.has('lifecycle')) results.push(...(await runLifecycle(ctx)));
  if (only.has('horizon') && !anchor) results.push(...(await runHorizon(ctx)));
  return results;
}
