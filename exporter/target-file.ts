// The exporter's target file: one JSON record per line, each ending in '\n'. The file is its own
// cursor: the id of the last complete line is where the next export starts. A line torn by a crash
// mid-write (no final '\n') is cut off before anything is appended, and every append is fsynced.
import type { FileHandle } from 'node:fs/promises';

// A record line is under 9 KB (a log line is at most 8,192 characters of URI-safe ASCII), so the last
// complete line and a torn one after it always fit in this tail.
const TAIL_BYTES = 64 * 1024;

export class TargetFileError extends Error {
  override name = 'TargetFileError';
}

/**
 * recoverTail(handle): cuts a torn last line off (fsynced), and returns the id of the last complete
 * record, or null for an empty file. Throws TargetFileError when the last line is not a record.
 */
export async function recoverTail(handle: FileHandle): Promise<string | null> {
  const { size } = await handle.stat();
  if (size === 0) return null;
  const start = Math.max(0, size - TAIL_BYTES);
  const tail = Buffer.alloc(size - start);
  await handle.read(tail, 0, tail.length, start);
  const lastNewline = tail.lastIndexOf(0x0a);
  if (lastNewline === -1 && start > 0) throw new TargetFileError(`the last ${TAIL_BYTES} bytes of the target file hold no complete line`);
  const complete = start + lastNewline + 1;
  if (complete < size) {
    await handle.truncate(complete);
    await handle.sync();
  }
  if (lastNewline === -1) return null;
  const line = tail.subarray(tail.lastIndexOf(0x0a, lastNewline - 1) + 1, lastNewline).toString('utf8');
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    if (typeof id === 'string') return id;
  } catch {
    // reported below
  }
  throw new TargetFileError(`the last line of the target file is not a record: ${line.slice(0, 200)}`);
}

/** Appends whole lines and waits until they are on disk. */
export async function appendLines(handle: FileHandle, lines: string[]): Promise<void> {
  await handle.appendFile(lines.map((line) => `${line}\n`).join(''));
  await handle.sync();
}
