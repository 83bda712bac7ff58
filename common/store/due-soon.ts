// The due-soon signal of a timer-db shard: whoever puts rows into its timers_to_fire that fall due
// within the pollers' look-ahead (a short delay, a retry, a deferral, a rescheduled timer) notifies the
// shard's pollers (PostgreSQL NOTIFY on DUE_SOON_CHANNEL, the earliest instant as payload), and they
// claim at once instead of at their next poll. Their interval then only paces how later rows enter the
// look-ahead window, so it can be long, and a timer due at once still leaves within milliseconds.
import type { Pool, PoolClient } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';

export const DUE_SOON_CHANNEL = 'timers_to_fire_due_soon';

const RELISTEN_MS = 1_000;

/** For a writer whose rows are few and mostly due soon (a reschedule, a replay): signal whatever the instant. */
export const SIGNAL_ALWAYS = Number.POSITIVE_INFINITY;

/** notifyDueSoon(shard, earliest): tells the shard's pollers that a row due at `earliest` (epoch ms) is there. */
export async function notifyDueSoon(shard: Pool, earliest: number): Promise<void> {
  await shard.query('SELECT pg_notify($1, $2)', [DUE_SOON_CHANNEL, String(Math.round(earliest))]);
}

/**
 * notifyIfDueSoon(shard, instants, withinMs): notifies when one of the instants (epoch ms) of the rows
 * just written is less than `withinMs` from now (the pollers' look-ahead; null: the writer does not signal).
 */
export async function notifyIfDueSoon(shard: Pool, instants: number[], withinMs: number | null, now = Date.now()): Promise<void> {
  if (withinMs === null || instants.length === 0) return;
  const earliest = instants.reduce((a, b) => Math.min(a, b));
  if (earliest <= now + withinMs) await notifyDueSoon(shard, earliest);
}

export interface DueSoonListener {
  stop(): void;
}

/**
 * listenDueSoon(shard, onDueSoon, log): holds one connection of the shard's pool that LISTENs on the
 * channel and calls onDueSoon(earliest) for each signal. A lost connection is replaced after a pause;
 * each (re)start of listening also calls onDueSoon(null), since signals sent meanwhile were missed.
 */
export function listenDueSoon(shard: Pool, onDueSoon: (earliest: number | null) => void, log: Logger): DueSoonListener {
  let stopped = false;
  let client: PoolClient | null = null;
  let retry: NodeJS.Timeout | null = null;

  const lost = (lostClient: PoolClient, err?: Error) => {
    if (client !== lostClient) return;
    client = null;
    lostClient.release(err ?? true);
    if (stopped) return;
    log.warn({ err: err?.message }, 'listening for due-soon signals failed; listening again shortly');
    retry = setTimeout(() => void listen(), RELISTEN_MS);
  };

  const listen = async () => {
    retry = null;
    let next: PoolClient | null = null;
    try {
      next = await shard.connect();
      const listening = next;
      listening.on('notification', (message) => {
        if (message.channel !== DUE_SOON_CHANNEL) return;
        const earliest = Number(message.payload);
        onDueSoon(Number.isFinite(earliest) ? earliest : null);
      });
      listening.on('error', (err) => lost(listening, err));
      listening.on('end', () => lost(listening));
      await listening.query(`LISTEN ${DUE_SOON_CHANNEL}`);
      if (stopped) {
        listening.release(true);
        return;
      }
      client = listening;
      onDueSoon(null);
    } catch (err) {
      next?.release(true);
      if (stopped) return;
      log.warn({ err: (err as Error).message }, 'listening for due-soon signals failed; listening again shortly');
      retry = setTimeout(() => void listen(), RELISTEN_MS);
    }
  };

  void listen();
  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const held = client;
      client = null;
      // Closed rather than handed back: the pool's next borrower must not inherit the LISTEN.
      held?.release(true);
    },
  };
}
