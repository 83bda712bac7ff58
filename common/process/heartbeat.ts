// Every long-running process says it is alive: a row in the main database's process_heartbeats,
// upserted every HEARTBEAT_INTERVAL_MS and deleted on a graceful stop (the dashboard's "processes
// alive"). A failed write is logged and tried again at the next tick, never fatal: a process that
// cannot reach the database for a while keeps doing its work, and simply shows as not alive.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';
import type { Shutdown } from './shutdown.js';
import { beat, forget, type Heartbeat } from '../store/heartbeats.js';

/** A process counts as alive while its last beat is younger than this many intervals. */
export const ALIVE_INTERVALS = 3;

/** The process types that beat: every one connected to the main database. */
export const HEARTBEAT_TYPES = ['webserver', 'consumer', 'timer', 'trigger', 'worker'] as const;

export interface HeartbeatOptions {
  db: Pool;
  type: (typeof HEARTBEAT_TYPES)[number];
  intervalMs: number;
  log: Logger;
  /** what the process reports of itself with each beat (JSON) */
  stats?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/**
 * Beats now and every intervalMs; the graceful stop (registered here) stops the beats and deletes the
 * row. The pipeline's processes start it through openPipeline (pipeline.ts), which registers it after
 * the pool's own step, so it runs while the pool is still open.
 */
export function startHeartbeat(opts: HeartbeatOptions, shutdown: Shutdown): Heartbeat {
  const heartbeat: Heartbeat = {
    process_id: `${opts.type}:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    type: opts.type,
    hostname: hostname(),
    pid: process.pid,
    started_at: new Date(),
  };
  let inFlight: Promise<void> | null = null;
  let failing = false;
  const tick = () => {
    // A beat still under way (a slow database) is not doubled: the next tick comes soon enough.
    if (inFlight) return;
    inFlight = (async () => {
      try {
        await beat(opts.db, heartbeat, (await opts.stats?.()) ?? {});
        if (failing) opts.log.info('heartbeat written again');
        failing = false;
      } catch (err) {
        if (!failing) opts.log.warn({ err: (err as Error).message }, 'could not write the heartbeat; retrying at the next tick');
        failing = true;
      } finally {
        inFlight = null;
      }
    })();
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  shutdown.add('heartbeat', async () => {
    clearInterval(timer);
    await inFlight;
    await forget(opts.db, heartbeat.process_id);
  });
  return heartbeat;
}
