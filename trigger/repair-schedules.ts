// The triggers' repair sweep for schedules: once a minute, a chain head overdue by more than five
// minutes and still waiting gets its shard row again (common/schedules/chain.ts, placeStrandedHeads).
// It finds work only after a failure that nothing else retried (a shard unreachable just after an
// edit's commit); a busy service's late heads still have their rows, which are left as they are.
import type { ChainStores } from '../common/schedules/chain.js';
import { placeStrandedHeads } from '../common/schedules/chain.js';
import type { Logger } from '../common/observability/logger.js';

export const REPAIR_INTERVAL_MS = 60_000;
export const REPAIR_OVERDUE_MS = 300_000;
const REPAIR_LIMIT = 1_000;

/** Starts the sweep; returns its stop. */
export function repairStrandedSchedules(stores: ChainStores, log: Logger, now: () => number = Date.now): () => void {
  const timer = setInterval(() => {
    placeStrandedHeads(stores, now(), REPAIR_OVERDUE_MS, REPAIR_LIMIT).then(
      (placed) => {
        if (placed > 0) log.warn({ placed }, "schedules' next runs had no shard row; placed again");
      },
      (err: Error) => log.warn({ err: err.message }, 'could not check schedules for stranded runs'),
    );
  }, REPAIR_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
