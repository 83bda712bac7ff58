// Settings shared by the BullMQ anchor's processes, from the environment the bench gives them.
import { intEnv } from './cluster.js';

export const QUEUE = 'bench-timers';
/** the schedules scenario's queue: the jobs its job schedulers make */
export const SCHEDULE_QUEUE = 'bench-schedules';
/** the flow scenario's queue: the timers of its limited key */
export const FLOW_QUEUE = 'bench-flow';
/** the tasks scenario's queue */
export const TASK_QUEUE = 'bench-tasks';
export const prefix = process.env.BENCH_PREFIX ?? 'bench';
const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
export const connection = { host: redis.hostname, port: Number(redis.port || 6379) };
export const workers = intEnv('BENCH_WORKERS', 2);
