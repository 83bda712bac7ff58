// Read-your-writes for records accepted on broker confirm: a consumer writes the row a few
// milliseconds after the 201, so a read right after the POST could miss it. A miss on a UUIDv7 issued
// in the last minute is retried with backoff for up to waitMs; any other miss is final at once.
import { issuedAt } from '../../common/messages/timer-id.js';

// A UUIDv7 issued this long ago or more is not "just accepted": a miss is a plain 404 at once.
const RECENT_ID_MS = 60_000;
const FIRST_RETRY_MS = 5;
const MAX_RETRY_MS = 200;

/** read() until it finds something, while `id` was issued recently and waitMs has not passed. */
export async function readWaitingForRecent<T>(id: string, waitMs: number, now: () => number, read: () => Promise<T | null>): Promise<T | null> {
  const issued = issuedAt(id);
  const start = now();
  const recent = issued !== null && issued > start - RECENT_ID_MS && issued <= start + 1_000;
  let delay = FIRST_RETRY_MS;
  for (;;) {
    const found = await read();
    if (found !== null || !recent || now() - start + delay > waitMs) return found;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  }
}
