// The trigger's gate for flow control: before a claimed timer with a flow key (or under a pause) goes
// out, it asks its key for capacity; the asks of timers claimed together are answered in one
// transaction that locks their keys' rows (in id order), so the keys' rate and parallelism hold for
// every trigger together. A timer without capacity is 'held' on its key in the same transaction, its
// attempt undone, and its message acked: it waits in PostgreSQL, in due order, until a release lets it
// go (trigger/release-held.ts). A delivery in flight holds a lease on its key; the answer gives it back
// (batched), and a trigger that dies gives it back when the lease expires.
import type { Pool } from '../common/db/pool.js';
import { inTransaction } from '../common/db/pool.js';
import { Batcher } from '../common/batch/batcher.js';
import { endLeases, grantLeases, inFlight, leasesOf, lockFlowKeys, setFlowClock, type FlowGateRow } from '../common/store/flow-keys.js';
import { holdTimers, type HeldTimer } from '../common/store/timers.js';
import { admit, type Answer, type Ask, type KeyState, type Lease } from './flow-capacity.js';

const BATCH_MAX = 1_000;
const LEASE_LINGER_MS = 5;

/** A claimed timer asking to go: its claim's attempt, so that a hold can undo it. */
export interface GateAsk extends Ask {
  attempt: number;
}

export const keyStateOf = (row: FlowGateRow, active = 0): KeyState => ({
  id: row.id,
  rate: row.rate,
  periodS: row.period_s,
  parallelism: row.parallelism,
  pausedUntil: row.paused_until === null ? null : Number(row.paused_until),
  nextSlotAt: row.next_slot_at === null ? null : Number(row.next_slot_at),
  held: row.held,
  active,
});

/**
 * admitClaimed(main, asks, now, horizonMs): one transaction for a batch of asks: the keys locked, the
 * leases in flight counted, each ask answered (flow-capacity.ts), the held ones held, the keys' clocks,
 * waiting counts and the new leases written. One answer per ask, in order.
 */
export async function admitClaimed(main: Pool, asks: GateAsk[], now: number, horizonMs: number): Promise<Answer[]> {
  const ids = [...new Set(asks.flatMap((ask) => (ask.key === null ? ask.pauses : [...ask.pauses, ask.key])))];
  return inTransaction(main, async (client) => {
    const rows = await lockFlowKeys(client, ids);
    const limited = rows.filter((row) => row.parallelism !== null).map((row) => row.id);
    const active = limited.length > 0 ? await inFlight(client, limited, now) : new Map<string, number>();
    const states = new Map(rows.map((row) => [row.id, keyStateOf(row, active.get(row.id) ?? 0)]));
    const pairs = asks.flatMap((ask) => (ask.key !== null && states.has(ask.key) ? [{ keyId: ask.key, timerId: ask.timerId }] : []));
    const held = new Map((await leasesOf(client, pairs)).map((lease) => [`${lease.keyId}/${lease.timerId}`, lease]));
    const answers = admit(
      states,
      asks.map((ask) => ({ ...ask, lease: ask.key === null ? null : (held.get(`${ask.key}/${ask.timerId}`) ?? null) })),
      now,
      horizonMs,
    );
    const holds: HeldTimer[] = [];
    answers.forEach((answer, i) => {
      if (answer.kind === 'held') holds.push({ id: asks[i]!.timerId, attempt: asks[i]!.attempt, heldOn: answer.on, reason: null });
    });
    const heldCounts = holds.length > 0 ? await holdTimers(client, holds) : new Map<string, number>();
    await grantLeases(
      client,
      answers.flatMap((answer) => (answer.kind === 'go' && answer.lease ? [answer.lease] : [])),
    );
    await setFlowClock(
      client,
      rows.map((row) => ({ id: row.id, nextSlotAt: states.get(row.id)!.nextSlotAt, held: row.held + (heldCounts.get(row.id) ?? 0) })),
    );
    return answers;
  });
}

/**
 * admitByKey(main, asks, now, horizonMs): admitClaimed for each key's asks on its own, all at once, so
 * that a key busy holding thousands of timers never makes another key's timers wait for its lock.
 */
export async function admitByKey(main: Pool, asks: GateAsk[], now: number, horizonMs: number): Promise<Answer[]> {
  const groups = new Map<string, number[]>();
  asks.forEach((ask, i) => {
    const group = ask.key ?? ask.pauses.join('/');
    groups.set(group, [...(groups.get(group) ?? []), i]);
  });
  const answers: Answer[] = new Array<Answer>(asks.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const answered = await admitClaimed(
        main,
        indexes.map((i) => asks[i]!),
        now,
        horizonMs,
      );
      indexes.forEach((i, j) => (answers[i] = answered[j]!));
    }),
  );
  return answers;
}

/**
 * holdOn(main, timers): timers just claimed wait on a key outside of an ask (a receiver's Retry-After
 * paused it): held, and counted on the key.
 */
export async function holdOn(main: Pool, timers: HeldTimer[]): Promise<void> {
  await inTransaction(main, async (client) => {
    const rows = await lockFlowKeys(client, [...new Set(timers.map((t) => t.heldOn))]);
    const counts = await holdTimers(client, timers);
    await setFlowClock(
      client,
      rows.map((row) => ({ id: row.id, nextSlotAt: row.next_slot_at === null ? null : Number(row.next_slot_at), held: row.held + (counts.get(row.id) ?? 0) })),
    );
  });
}

/** The gate of one trigger: asks batched into admitClaimed, leases given back in batches. */
export function flowGate(main: Pool, options: { now: () => number; horizonMs: number; onLeasesEnded: (keyIds: string[]) => void }) {
  const asks = new Batcher<GateAsk, Answer>((batch) => admitByKey(main, batch, options.now(), options.horizonMs), BATCH_MAX, 2);
  const ends = Batcher.forWork<Lease>(
    async (leases) => {
      await endLeases(main, leases);
      options.onLeasesEnded([...new Set(leases.map((lease) => lease.keyId))]);
    },
    BATCH_MAX,
    2,
    LEASE_LINGER_MS,
  );
  return {
    ask: (ask: GateAsk) => asks.add(ask),
    /** A delivery has its answer: its place in flight is free (a failure to say so lapses with the lease). */
    end: (lease: Lease) => ends.add(lease).catch(() => undefined),
  };
}

export type FlowGate = ReturnType<typeof flowGate>;
