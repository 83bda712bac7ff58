// The pg-boss anchor: startAfter jobs in a database of its own on the local PostgreSQL, a create
// endpoint (cluster of 2) and workers (2 processes x 2 work() loops, batchSize 1000, polling 0.5 s,
// pg-boss's minimum). stop() drops the database.
import PgBoss from 'pg-boss';
import { ensureDatabase, dropDatabase } from '../../common/db/database-admin.js';
import type { BenchOptions } from '../options.js';
import { withChildren } from '../metrics/cpu.js';
import { QUEUE } from '../anchors/pgboss-common.js';
import { startAnchor, type AnchorProcess } from './anchor-process.js';
import { postgresPids } from './shared-servers.js';
import { databaseUrl, type SystemUnderTest } from './system.js';
import { pgbossSchedules } from './pgboss-schedules.js';

export async function startPgBoss(opts: BenchOptions, port: number, runDir: string): Promise<SystemUnderTest> {
  const url = databaseUrl(`bench_pgboss_${process.pid}`);
  await dropDatabase(url);
  await ensureDatabase(url);
  const children: AnchorProcess[] = [];
  const schedules = pgbossSchedules(url, { BENCH_PGBOSS_URL: url, BENCH_LOOPS: '2', BENCH_BATCH: '1000', BENCH_WORKERS: String(opts.replicas.trigger) }, runDir);
  const stop = async () => {
    await schedules.close();
    for (const child of children.reverse()) await child.stop();
    await dropDatabase(url);
  };
  try {
    // Schema and queue once, here; the anchor's processes start with migrate: false.
    const boss = new PgBoss({ connectionString: url, schedule: false, supervise: false });
    boss.on('error', () => undefined);
    await boss.start();
    await boss.createQueue(QUEUE);
    await boss.stop({ graceful: false, wait: true });
    const env = { BENCH_PGBOSS_URL: url, BENCH_LOOPS: '2', BENCH_BATCH: '1000' };
    children.push(await startAnchor('pgboss-worker.ts', { ...env, BENCH_WORKERS: String(opts.replicas.trigger) }, runDir));
    children.push(await startAnchor('pgboss-server.ts', { ...env, BENCH_WORKERS: String(opts.replicas.webserver), BENCH_PORT: String(port) }, runDir));
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const [worker, server] = children as [AnchorProcess, AnchorProcess];
  return {
    name: 'pg-boss',
    apiUrl: `http://127.0.0.1:${port}`,
    settings: `pg-boss startAfter jobs; create endpoint: ${opts.replicas.webserver} processes (node:cluster, no nginx, pool 20 each); workers: ${opts.replicas.trigger} processes x 2 work() loops, batchSize 1000, pollingIntervalSeconds 0.5`,
    pidGroups: () => {
      const scheduler = schedules.schedulerPid();
      return {
        'anchor-http': withChildren(server.pid),
        'anchor-worker': withChildren(worker.pid),
        ...(scheduler ? { 'anchor-scheduler': withChildren(scheduler) } : {}),
        postgres: postgresPids(),
      };
    },
    settle: async () => undefined,
    schedules,
    stop,
  };
}
