// The retention process's archive: when RETENTION_ARCHIVE_DIR is set, what is removed is written there
// first, as gzip JSON lines (retention/archive.ts): a partition dropped or rewritten whole, rows deleted
// in batches appended to the partition's file of the day.
import type { Pool } from '../common/db/pool.js';
import type { Archiver } from './sweep.js';
import { appendArchive, archivePartition, batchArchiveFile, partitionArchiveFile } from './archive.js';

export function archiverOf(db: Pool, dir: string): Archiver | null {
  if (dir === '') return null;
  return {
    partition: async (name) => {
      await archivePartition(db, name, partitionArchiveFile(dir, name));
    },
    rows: async (partition, lines) => {
      await appendArchive(batchArchiveFile(dir, partition, new Date()), lines);
    },
  };
}
