// One sweep of the retention process over timers, tasks and log_records (docs/architecture.md,
// "Retention"). For each table it makes the day partitions ahead, then looks at every partition whose
// day ended at least a day ago (ids of that day still on their way to the database have arrived):
//   - none of its rows pending nor kept: the partition is dropped whole (detach, drop), after a
//     recheck under a lock, so a timer replayed meanwhile is never lost;
//   - some kept, at most compactMaxKept of them, and some expired: the partition is rewritten with the
//     rows kept (a timer due in a year, a failed one kept 30 days), which gives the rest's size back;
//   - more kept than that: its expired rows are deleted in batches.
// The default partition (ids outside every day) has its expired rows deleted in batches. Access-log
// records have no state: a day partition goes once its whole day is older than their retention.
import { inTransaction, type Pool, type PoolClient, type Queryable } from '../common/db/pool.js';
import { compactPartition, DAY_MS, dropPartition, ensureDayPartitions, listPartitions, type PartitionInfo, type RemovalResult } from '../common/store/partitions.js';
import { countKept, deleteExpired, expiryFacts, KEPT_WHERE } from '../common/store/expired-rows.js';
import { deleteOldLogRecords } from '../common/store/log-records.js';
import { noteRemoved } from '../common/store/retention-removals.js';

export interface SweepOptions {
  now: number;
  /** day partitions made ahead of today */
  aheadDays: number;
  /** whether anything is removed (RETENTION_SWEEP_INTERVAL_MS > 0); partitions are made ahead either way */
  remove: boolean;
  /** RETENTION_LOG_RECORDS_S in ms */
  logRetentionMs: number;
  /** a partition is looked at once its day ended this long ago */
  graceMs: number;
  /** a partition keeping at most this many rows is rewritten rather than deleted from */
  compactMaxKept: number;
  /** rows deleted per statement, and statements per partition and sweep */
  deleteBatch: number;
  deleteBatches: number;
  /** how long a removal waits for its locks before it gives way to the hot path */
  lockTimeoutMs: number;
  /** partitions rewritten at most once a day each: name -> when */
  compactedAt: Map<string, number>;
}

/** Writes what is removed to the archive before it goes; none: no archive. */
export interface Archiver {
  partition(name: string): Promise<void>;
  rows(partition: string, lines: string[]): Promise<void>;
}

export interface SweepReport {
  made: string[];
  dropped: string[];
  compacted: string[];
  deleted: number;
  /** partitions whose removal gave way (a lock not had in time) or was called off by its recheck */
  deferred: string[];
}

type ExpiringTable = 'timers' | 'tasks';

export async function sweepOnce(db: Pool, options: SweepOptions, archiver: Archiver | null): Promise<SweepReport> {
  const report: SweepReport = { made: [], dropped: [], compacted: [], deleted: 0, deferred: [] };
  for (const table of ['timers', 'tasks', 'log_records'] as const) {
    report.made.push(...(await ensureDayPartitions(db, table, options.now, options.now + (options.aheadDays + 1) * DAY_MS)));
  }
  if (!options.remove) return report;
  for (const table of ['timers', 'tasks'] as const) await sweepExpiring(db, table, options, archiver, report);
  await sweepLogRecords(db, options, archiver, report);
  return report;
}

async function sweepExpiring(db: Pool, table: ExpiringTable, options: SweepOptions, archiver: Archiver | null, report: SweepReport): Promise<void> {
  for (const partition of await listPartitions(db, table)) {
    if (partition.kind === 'default') {
      report.deleted += await deleteInBatches(db, partition.name, options, archiver);
    } else if (partition.to !== null && partition.to <= options.now - options.graceMs) {
      // Its rows may be gone from here on: an unknown id issued before its end is "expired".
      if (await sweepPartition(db, table, partition, options, archiver, report)) await noteRemoved(db, table, partition.to);
    }
  }
}

/** Removes what expired of a partition whose day is over; whether anything was removed. */
async function sweepPartition(db: Pool, table: ExpiringTable, partition: PartitionInfo, options: SweepOptions, archiver: Archiver | null, report: SweepReport): Promise<boolean> {
  const facts = await expiryFacts(db, partition.name);
  if (!facts.pending && !facts.kept) {
    await archiver?.partition(partition.name);
    const removable = async (client: PoolClient) => {
      const again = await expiryFacts(client, partition.name);
      return !again.pending && !again.kept;
    };
    // An empty one (a day that passed without rows) goes too, but removed no row.
    return settle(await dropPartition(db, table, partition.name, removable, options.lockTimeoutMs), partition, report.dropped, report) && facts.expired;
  }
  if (!facts.expired) return false;
  const compactedAt = options.compactedAt.get(partition.name);
  const kept = await countKept(db, partition.name, options.compactMaxKept + 1);
  if (kept <= options.compactMaxKept && (compactedAt === undefined || options.now - compactedAt >= DAY_MS)) {
    await archiver?.partition(partition.name);
    const result = await compactPartition(db, table, partition, KEPT_WHERE, options.lockTimeoutMs);
    if (result === 'done') options.compactedAt.set(partition.name, options.now);
    return settle(result, partition, report.compacted, report);
  }
  const deleted = await deleteInBatches(db, partition.name, options, archiver);
  report.deleted += deleted;
  return deleted > 0;
}

function settle(result: RemovalResult, partition: PartitionInfo, done: string[], report: SweepReport): boolean {
  if (result === 'done') done.push(partition.name);
  else report.deferred.push(partition.name);
  return result === 'done';
}

/**
 * Deletes in batches with `deleteBatch` (one statement); with an archive, each batch's delete commits
 * only once its rows are in the archive (a crash in between archives a row twice, never loses one).
 */
async function inBatches(db: Pool, partition: string, options: SweepOptions, archiver: Archiver | null, deleteBatch: (client: Queryable, asLines: boolean) => Promise<string[]>): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < options.deleteBatches; batch++) {
    const n = archiver
      ? await inTransaction(db, async (client) => {
          const lines = await deleteBatch(client, true);
          if (lines.length > 0) await archiver.rows(partition, lines);
          return lines.length;
        })
      : (await deleteBatch(db, false)).length;
    deleted += n;
    if (n < options.deleteBatch) break;
  }
  return deleted;
}

const deleteInBatches = (db: Pool, partition: string, options: SweepOptions, archiver: Archiver | null) =>
  inBatches(db, partition, options, archiver, (client, asLines) => deleteExpired(client, partition, options.deleteBatch, asLines));

async function sweepLogRecords(db: Pool, options: SweepOptions, archiver: Archiver | null, report: SweepReport): Promise<void> {
  const before = options.now - options.logRetentionMs;
  for (const partition of await listPartitions(db, 'log_records')) {
    if (partition.to !== null && partition.to <= before) {
      await archiver?.partition(partition.name);
      settle(await dropPartition(db, 'log_records', partition.name, async () => true, options.lockTimeoutMs), partition, report.dropped, report);
      continue;
    }
    if (partition.kind === 'day') continue;
    report.deleted += await inBatches(db, partition.name, options, archiver, (client, asLines) => deleteOldLogRecords(client, partition.name, before, options.deleteBatch, asLines));
  }
}
