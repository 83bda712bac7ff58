// Replays failed timers: each gets a new attempt series (same id, so the same idempotency key) that
// starts about a second from now through the timer machinery. The shard rows are written before the
// timers turn 'retrying', so a crash in between leaves a failed timer (and a row the trigger drops),
// never a retrying one that waits for nothing; a slow commit gets its rows written again. The rows go
// in as every put-back does (common/store/timers-to-fire.ts fireAllAgain): a stale row still in the
// shard is overwritten, lease and URL too.
import type { Pool } from '../../common/db/pool.js';
import { failedAmong, markReplayed } from '../../common/store/timers.js';
import { fireAllAgain } from '../../common/store/timers-to-fire.js';
import { SIGNAL_ALWAYS } from '../../common/store/due-soon.js';

const REPLAY_DELAY_MS = 1_000;

const dueAt = (timers: Array<{ id: string; url: string }>, at: number) => timers.map(({ id, url }) => ({ id, url, at }));

/** replayTimers(main, shards, ids, now): replays those of the ids that are failed; returns their ids. */
export async function replayTimers(main: Pool, shards: Pool[], ids: string[], now: () => number): Promise<string[]> {
  const failed = await failedAmong(main, ids);
  if (failed.length === 0) return [];
  const at = now() + REPLAY_DELAY_MS;
  await fireAllAgain(shards, dueAt(failed, at), SIGNAL_ALWAYS);
  const replayed = await markReplayed(
    main,
    failed.map((r) => r.id),
    at,
  );
  // A poller publishes a row a little before it is due; if the timers turned 'retrying' only that late,
  // a trigger may have dropped the row already: write it again, due now.
  if (now() > at - REPLAY_DELAY_MS / 2) await fireAllAgain(shards, dueAt(replayed, now()), SIGNAL_ALWAYS);
  return replayed.map((r) => r.id);
}
