// One export by one exporter: under an exclusive lock on the target file (shared by every exporter on
// the same file system, containers included), read the cursor from the file itself, fetch what is new
// from GET /api/data page by page, and append each page as whole, fsynced lines. Since only the lock
// holder writes and the position comes from the file, every record lands exactly once and in order,
// whichever exporter runs and however often one is killed.
import { open } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { appendLines, recoverTail } from './target-file.js';

export interface ExportOptions {
  apiUrl: string;
  file: string;
  pageLimit: number;
  /** a lock not refreshed for this long is taken over (its holder died) */
  lockStaleMs: number;
  /** pages per export at most, so that the lock is handed around under a steady flow */
  maxPages?: number;
}

export interface ExportResult {
  /** false: another exporter held the lock; nothing was done */
  locked: boolean;
  exported: number;
  lastId: string | null;
}

type ApiRecord = { id: string };

// nginx gives up on an upstream after 30 s; a request is never left to hold the lock for longer.
const REQUEST_TIMEOUT_MS = 35_000;

async function fetchPage(apiUrl: string, after: string | null, limit: number): Promise<ApiRecord[]> {
  const url = `${apiUrl}/api/data?limit=${limit}${after ? `&id=${encodeURIComponent(after)}` : ''}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = (await res.json().catch(() => null)) as unknown;
  if (res.status === 404 && after) throw new Error(`the target file's last record ${after} is unknown to the API (a file of another deployment?)`);
  if (res.status !== 200 || !Array.isArray(body)) throw new Error(`GET ${url} answered ${res.status}: ${JSON.stringify(body)?.slice(0, 200)}`);
  return body as ApiRecord[];
}

export async function exportOnce(options: ExportOptions): Promise<ExportResult> {
  const { apiUrl, file, pageLimit, lockStaleMs, maxPages = 100 } = options;
  let lost: Error | null = null;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      stale: lockStaleMs,
      update: Math.max(1_000, Math.floor(lockStaleMs / 4)),
      realpath: false,
      retries: 0,
      onCompromised: (err) => {
        lost = err;
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return { locked: false, exported: 0, lastId: null };
    throw err;
  }
  try {
    const handle = await open(file, 'a+');
    try {
      let lastId = await recoverTail(handle);
      let exported = 0;
      for (let page = 0; page < maxPages; page++) {
        const records = await fetchPage(apiUrl, lastId, pageLimit);
        if (records.length === 0) break;
        // The lock was taken over (this process stalled past lockStaleMs): another exporter owns the file now.
        if (lost) throw new Error(`lost the lock on ${file}: ${(lost as Error).message}`);
        await appendLines(
          handle,
          records.map((record) => JSON.stringify(record)),
        );
        exported += records.length;
        lastId = records[records.length - 1]!.id;
        if (records.length < pageLimit) break;
      }
      return { locked: true, exported, lastId };
    } finally {
      await handle.close();
    }
  } finally {
    await release().catch(() => undefined);
  }
}
