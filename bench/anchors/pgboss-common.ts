// Settings shared by the pg-boss anchor's processes, from the environment the bench gives them.
import { intEnv } from './cluster.js';

export const QUEUE = 'bench-timers';
/** the schedules scenario's queue, where every schedule's runs are sent (see pgboss-schedules.ts) */
export const SCHEDULE_RUNS_QUEUE = 'bench-schedule-runs';
/** pg-boss's shortest cron monitor and cron worker intervals (its defaults: 30 s and 5 s) */
export const CRON_INTERVAL_SECONDS = 1;
export const connectionString = process.env.BENCH_PGBOSS_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_pgboss';
export const workers = intEnv('BENCH_WORKERS', 2);
