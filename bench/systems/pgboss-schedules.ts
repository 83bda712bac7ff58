// pg-boss's recurring schedules for the bench: boss.schedule(name, "* * * * *", data, {tz: "UTC"}) from
// the bench process, and the scheduler and run workers (bench/anchors/pgboss-schedules.ts) started for
// the schedules scenario only. pg-boss 10.4.2 keys a schedule by its queue's name, so each schedule
// gets a queue of its own (a partition of the job table each, created one at a time); its runs are sent to one shared queue
// instead (the `name` in the schedule's options, which pg-boss copies into each run's job), so that the
// workers poll one queue, not thousands. Cron has minute resolution: one run a minute, not every 10 s.
// At most MAX_SCHEDULES: with 10,000 queues the queue creation slowed to 5/s after 7,000 and the shared
// PostgreSQL ran out of lock table space ("out of shared memory"), a partition's locks each.
import PgBoss from 'pg-boss';
import { SCHEDULE_RUNS_QUEUE } from '../anchors/pgboss-common.js';
import { startAnchor, type AnchorProcess } from './anchor-process.js';
import type { ScheduleSystem } from './system.js';

const MAX_SCHEDULES = 2_000;

export function pgbossSchedules(url: string, env: Record<string, string>, runDir: string): ScheduleSystem & { schedulerPid(): number | null } {
  let boss: PgBoss | null = null;
  let scheduler: AnchorProcess | null = null;
  // One queue at a time: creating a queue attaches a partition to the job table, and two attached at
  // once deadlock in PostgreSQL.
  let queues: Promise<unknown> = Promise.resolve();
  return {
    cadence: `cron, 1 a minute (at most ${MAX_SCHEDULES})`,
    periodMs: 60_000,
    onMinutes: true,
    maxSchedules: MAX_SCHEDULES,
    async open() {
      boss = new PgBoss({ connectionString: url, max: 20, migrate: false, supervise: false, schedule: false });
      boss.on('error', (err: Error) => console.error(`pg-boss: ${err.message}`));
      await boss.start();
      await boss.createQueue(SCHEDULE_RUNS_QUEUE);
      scheduler = await startAnchor('pgboss-schedules.ts', env, runDir);
    },
    async create(i, _startAt, hookUrl) {
      const name = `pgboss-${i}`;
      const created = queues.then(() => boss!.createQueue(name));
      queues = created.catch(() => undefined);
      await created;
      await boss!.schedule(name, '* * * * *', { url: hookUrl, schedule_id: name }, { tz: 'UTC', name: SCHEDULE_RUNS_QUEUE } as PgBoss.ScheduleOptions);
      return name;
    },
    // The schedules and their queues go with the database when the system stops.
    async close() {
      await scheduler?.stop();
      scheduler = null;
      await boss?.stop({ graceful: false, wait: true });
      boss = null;
    },
    schedulerPid: () => scheduler?.pid ?? null,
  };
}
