// Settings shared by the pg-boss anchor's processes, from the environment the bench gives them.
import { intEnv } from './cluster.js';

export const QUEUE = 'bench-timers';
export const connectionString = process.env.BENCH_PGBOSS_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_pgboss';
export const workers = intEnv('BENCH_WORKERS', 2);
