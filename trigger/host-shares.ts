// The per-host limits (WEBHOOK_HOST_CONCURRENCY, WEBHOOK_HOST_RATE_PER_S) hold for the deployment, not
// per trigger: each trigger takes an even share of them, one over the number of triggers alive (their
// heartbeats), looked at again every heartbeat interval. A share costs no database work per webhook,
// which the hot path of every timer cannot afford; a flow key (trigger/flow-gate.ts) is the exact,
// shared limit for a destination that needs one. Until the first count, and when it cannot be read,
// a trigger keeps the share it has (at first the whole limit).
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { liveCount } from '../common/store/heartbeats.js';
import type { HostLimiter } from './host-limiter.js';

export interface DeploymentHostLimits {
  concurrency: number;
  /** 0: no rate limit */
  ratePerSecond: number;
}

/** One trigger's share of the deployment's limits among `triggers` (at least one webhook in flight per host). */
export function shareOf(limits: DeploymentHostLimits, triggers: number): DeploymentHostLimits {
  const n = Math.max(1, triggers);
  return { concurrency: Math.max(1, Math.floor(limits.concurrency / n)), ratePerSecond: limits.ratePerSecond / n };
}

/** Keeps `hosts` at this trigger's share (its concurrency never above `cap`, its part of the prefetch window); returns the stop. */
export function shareHostLimits(hosts: HostLimiter, main: Pool, limits: DeploymentHostLimits, cap: number, heartbeatMs: number, log: Logger): () => void {
  let triggers = 1;
  const look = () =>
    liveCount(main, 'trigger', heartbeatMs * 3).then(
      (n) => {
        if (n === 0 || n === triggers) return;
        triggers = n;
        const share = shareOf(limits, n);
        hosts.setLimits({ ...share, concurrency: Math.min(share.concurrency, cap) });
        log.info({ triggers: n, ...shareOf(limits, n) }, "this trigger's share of the per-host limits");
      },
      (err: Error) => log.warn({ err: err.message }, 'could not count the triggers alive; the per-host share stays'),
    );
  void look();
  const timer = setInterval(() => void look(), heartbeatMs);
  timer.unref();
  return () => clearInterval(timer);
}
