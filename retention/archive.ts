// The archive of the rows retention removes: gzip-compressed JSON lines, one row (to_jsonb of the row)
// a line. A day partition dropped whole is archived first into a file of its own, written to a
// '.partial' file, fsynced and renamed, so that the archive of a partition is either whole or absent.
// Rows removed in batches from a partition held by a few long-lived rows are appended, a gzip member a
// batch, to that partition's file of the day (zcat and Node's gunzip read every member of a file).
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import pg from 'pg';
import type { Queryable } from '../common/db/pool.js';

/** Rows read a query while archiving a partition: the memory an archive needs, whatever the partition's size. */
const BATCH_ROWS = 5_000;

// A partition's name becomes a file name: only a plain lower-case identifier, never a path.
const PARTITION_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkedName(partition: string): string {
  if (!PARTITION_NAME.test(partition)) throw new Error(`partition name ${JSON.stringify(partition)} must match ${PARTITION_NAME}`);
  return partition;
}

/** The archive of a partition dropped whole: `<dir>/<partition>.jsonl.gz`. */
export function partitionArchiveFile(dir: string, partition: string): string {
  return join(dir, `${checkedName(partition)}.jsonl.gz`);
}

/** The archive of the rows removed in batches from a partition on the UTC day of `at`: `<dir>/<partition>-<YYYYMMDD>.jsonl.gz`. */
export function batchArchiveFile(dir: string, partition: string, at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '');
  return join(dir, `${checkedName(partition)}-${day}.jsonl.gz`);
}

/** The partition's rows in id order, a batch of lines (each ending in '\n') per query; counts them in `counted.rows`. */
async function* partitionLines(db: Queryable, partition: string, counted: { rows: number }): AsyncGenerator<string> {
  const table = pg.escapeIdentifier(partition);
  let after: string | null = null;
  for (;;) {
    const query: pg.QueryConfig =
      after === null
        ? { text: `SELECT id, to_jsonb(t)::text AS line FROM ${table} t ORDER BY id LIMIT ${BATCH_ROWS}` }
        : { text: `SELECT id, to_jsonb(t)::text AS line FROM ${table} t WHERE id > $1 ORDER BY id LIMIT ${BATCH_ROWS}`, values: [after] };
    const { rows } = await db.query<{ id: string; line: string }>(query);
    const last = rows.at(-1);
    if (last === undefined) return;
    counted.rows += rows.length;
    after = last.id;
    yield rows.map((row) => `${row.line}\n`).join('');
    if (rows.length < BATCH_ROWS) return;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes every chunk to the file handle in turn (the next chunk is read only once the last is written), counting bytes. */
function writeTo(handle: FileHandle, counted: { bytes: number }) {
  return async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) {
      await handle.write(chunk);
      counted.bytes += chunk.length;
    }
  };
}

/**
 * archivePartition(db, partition, file): writes every row of the partition, in id order, to `file` as
 * gzip-compressed JSON lines, read in keyset batches of 5,000 rows and streamed, so memory does not grow
 * with the partition. The file appears whole or not at all (written as `file.partial`, fsynced, renamed,
 * the directory fsynced); an earlier file of that name is replaced. The batches are separate statements:
 * for one snapshot of a partition still written to, pass a client inside a REPEATABLE READ transaction.
 */
export async function archivePartition(db: Queryable, partition: string, file: string): Promise<{ rows: number; bytes: number }> {
  const dir = dirname(file);
  const partial = `${file}.partial`;
  const counted = { rows: 0, bytes: 0 };
  await mkdir(dir, { recursive: true });
  const handle = await open(partial, 'w');
  try {
    await pipeline(partitionLines(db, partition, counted), createGzip(), writeTo(handle, counted));
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true }).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(partial, file);
  await syncDirectory(dir);
  return counted;
}

/**
 * appendArchive(file, lines): appends the lines (JSON rows, e.g. from `DELETE ... RETURNING
 * to_jsonb(t)::text`) to `file` as one gzip member, fsynced; returns the bytes written (0, and nothing
 * written, for no lines). A write that fails is cut off again, so the file stays a sequence of whole members.
 */
export async function appendArchive(file: string, lines: string[]): Promise<number> {
  if (lines.length === 0) return 0;
  const member = gzipSync(lines.map((line) => `${line}\n`).join(''));
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const handle = await open(file, 'a');
  try {
    const { size } = await handle.stat();
    try {
      await handle.write(member);
      await handle.sync();
      // The file's first member: its name in the directory must be on disk too.
      if (size === 0) await syncDirectory(dir);
    } catch (err) {
      await handle.truncate(size).catch(() => undefined);
      throw err;
    }
  } finally {
    await handle.close();
  }
  return member.length;
}
