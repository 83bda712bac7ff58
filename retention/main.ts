// retention: the retention process; any number may run, one sweeps at a time (an advisory lock).
// Every RETENTION_SWEEP_INTERVAL_MS: makes the day partitions of timers, tasks and log_records ahead;
//   removes what expired (retention/sweep.ts), archiving it first when RETENTION_ARCHIVE_DIR is set.
// Writes: the main database's partitions and retention_removals. Consumes no queue; calls no service.
import { hostname } from 'node:os';
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { createPool } from '../common/db/pool.js';
import { DAY_MS } from '../common/store/partitions.js';
import { sweepOnce, type SweepOptions } from './sweep.js';
import { archiverOf } from './archiver.js';

// The lock that lets one process sweep at a time (any constant of this service's own).
const SWEEP_LOCK = 270_027;
// With sweeping off (interval 0), partitions are still made ahead, every hour.
const MAKE_AHEAD_INTERVAL_MS = 3_600_000;

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const db = createPool(config.MAIN_DB_URL, 'timer-retention', 2, log);
  const remove = config.RETENTION_SWEEP_INTERVAL_MS > 0;
  const intervalMs = remove ? config.RETENTION_SWEEP_INTERVAL_MS : MAKE_AHEAD_INTERVAL_MS;
  const archiver = archiverOf(db, config.RETENTION_ARCHIVE_DIR);
  const compactedAt = new Map<string, number>();
  let stopping = false;
  let wake: () => void = () => undefined;
  let current: Promise<void> = Promise.resolve();
  shutdown.add('databases', () => db.end());
  // A stop waits for the sweep in progress: each removal is one transaction, but an archive is written whole.
  shutdown.add('sweep in progress', async () => {
    stopping = true;
    wake();
    await current;
  });

  const sweep = async () => {
    const client = await db.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SWEEP_LOCK]);
      if (!rows[0]!.locked) return log.debug('another retention process is sweeping');
      try {
        const options: SweepOptions = {
          now: Date.now(),
          aheadDays: config.RETENTION_PARTITIONS_AHEAD_DAYS,
          remove,
          logRetentionMs: config.RETENTION_LOG_RECORDS_S * 1000,
          graceMs: DAY_MS,
          compactMaxKept: 100_000,
          deleteBatch: 5_000,
          deleteBatches: 20,
          lockTimeoutMs: 2_000,
          compactedAt,
        };
        const report = await sweepOnce(db, options, archiver);
        const removed = report.dropped.length + report.compacted.length + report.deleted;
        if (report.made.length > 0 || removed > 0 || report.deferred.length > 0) log.info(report, 'retention sweep');
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [SWEEP_LOCK]);
      }
    } finally {
      client.release();
    }
  };

  announceReady(log, { host: hostname(), interval_ms: intervalMs, removing: remove, archive_dir: config.RETENTION_ARCHIVE_DIR || null });
  while (!stopping) {
    current = sweep().catch((err: Error) => log.warn({ err: err.message }, 'retention sweep failed; trying again after the interval'));
    await current;
    if (stopping) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      wake = () => (clearTimeout(timer), resolve());
    });
  }
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('retention');
main(context).catch(exitOnFatal(context.log));
