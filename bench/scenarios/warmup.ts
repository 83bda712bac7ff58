// Before anything is measured on timer firing: a few thousand timers due within seconds, delivered
// once, so that the first measured scenario does not pay for cold processes (JIT, database pools,
// keep-alive connections to the receiver). Same for every system; its figures are printed, not kept.
import type { Created } from '../load/api-client.js';
import { paced } from '../load/paced.js';
import { lateness } from './lateness.js';
import type { ScenarioContext } from './context.js';

export async function warmUp(ctx: ScenarioContext): Promise<void> {
  const { api, receiver, opts } = ctx;
  const count = opts.quick ? 1_000 : 3_000;
  const created: Created[] = [];
  await paced({
    rate: 500,
    count,
    op: async () => {
      const timer = await api.create(2, `${receiver.url}?scenario=warmup`);
      if (timer) created.push(timer);
      return timer !== null;
    },
  });
  const maxFireAt = created.reduce((max, t) => Math.max(max, t.fireAt), 0);
  await receiver.waitFor(
    created.map((t) => t.id),
    maxFireAt + 60_000,
  );
  const late = lateness(created, receiver);
  ctx.say(`warm-up: ${late.delivered}/${count} delivered; lateness p50 ${late.summary.p50} p99 ${late.summary.p99} ms (not kept)`);
  await ctx.system.settle();
}
