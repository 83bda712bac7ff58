// Releasing held timers: a key with timers waiting and capacity free lets the first of them go, in due
// order, each at its slot with a lease on the key (releaseKey below says how). Every trigger runs the
// release: right after one of its deliveries gives a key's place back or a lapsed lease is removed (a
// trigger that died), on a sweep every 200 ms over the keys with timers waiting whose rate has a slot
// due, and every 2 s over all of them (a pause that ended or was lifted, a release that found its key
// locked). A key's release locks its row (SKIP LOCKED: triggers never queue on one another), and the
// shard rows are written before the transaction commits, so a crash in between leaves the timers held
// (the shard rows' copies are dropped by their claims) and the next release lets them go again.
import type { Pool } from '../common/db/pool.js';
import { inTransaction } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import type { DueTimer } from '../common/messages/timer-message.js';
import { endLapsedLeases, grantLeases, inFlight, keysToRelease, lockFlowKeyToRelease, setFlowClock } from '../common/store/flow-keys.js';
import { heldInDueOrder, unholdTimers, type ReleasedTimer } from '../common/store/timers.js';
import { fireAllAgain } from '../common/store/timers-to-fire.js';
import { letGo, releasable, type Lease } from './flow-capacity.js';
import { keyStateOf } from './flow-gate.js';
import { claimAttempts, type ClaimOptions, type Claimed } from './claim-attempts.js';

export const RELEASE_MAX = 500;
export const SWEEP_INTERVAL_MS = 200;
// Every this many sweeps, every key with timers waiting is looked at, not only those whose rate is due.
const FULL_SWEEP_EVERY = 10;
const SWEEP_KEYS = 100;
const LAPSED_LEASES_INTERVAL_MS = 5_000;
// A timer a lifted pause lets go is due again this much later, after the release has committed.
const RETURN_DELAY_MS = 1_000;

/** A timer of a limited key that a release claimed for this trigger: to deliver at once, then give its lease back. */
export interface Released {
  timer: DueTimer;
  claim: Claimed;
  lease: Lease;
}

export interface ReleaseDeps {
  main: Pool;
  shards: Pool[];
  now: () => number;
  /** a rate's slots within this long ahead may be handed out */
  horizonMs: number;
  /** a timer let go through its shard (a pause lifted) keeps its place this long on its way back to a trigger */
  leaseMs: number;
  dueSoonMs: number | null;
  /** how a release claims the timers of a limited key for this trigger (as the trigger claims any timer) */
  claim: Omit<ClaimOptions, 'now'>;
  /** how many more released timers this trigger may take on now */
  budget: () => number;
  /** delivers the timers a release claimed for this trigger */
  deliver: (released: Released[]) => void;
}

/**
 * releaseKey(deps, keyId): lets the key's first waiting timers go as far as its capacity allows; how many.
 * A key with limits (rate, parallelism) has them claimed here, in the release's transaction, and
 * delivered by this trigger at once: a timer's place on the key is taken only while it is being sent,
 * not while it travels. A row is written in its shard first, due when the claim expires, so that a
 * trigger dying before the answer leaves the timer to be claimed again then. The timers of a pause
 * that ended (a host, all deliveries, a key without limits) go back through their shards, due a second
 * later (or at once, written again, when the commit took longer than half of that).
 */
export async function releaseKey(deps: ReleaseDeps, keyId: string): Promise<number> {
  const now = deps.now();
  const returning: ReleasedTimer[] = [];
  const { released, count } = await inTransaction(deps.main, async (client) => {
    const none = { released: [] as Released[], count: 0 };
    const row = await lockFlowKeyToRelease(client, keyId);
    if (!row || row.held === 0) return none;
    const limited = row.rate !== null || row.parallelism !== null;
    const active = row.parallelism === null ? 0 : ((await inFlight(client, [keyId], now)).get(keyId) ?? 0);
    const state = keyStateOf(row, active);
    const n = releasable(state, now, deps.horizonMs, limited ? Math.min(RELEASE_MAX, deps.budget()) : RELEASE_MAX);
    if (n <= 0) return none;
    const timers = await heldInDueOrder(client, keyId, n);
    // Fewer waiting than counted (some were cancelled or rescheduled meanwhile): the count is set right.
    if (timers.length < n) state.held = timers.length;
    const ids = timers.map((t) => t.id);
    const grants = letGo(state, ids, now, deps.leaseMs);
    await unholdTimers(client, ids);
    const released: Released[] = [];
    if (limited) {
      const claims = await claimAttempts(client, ids, { ...deps.claim, now });
      const byId = new Map(timers.map((t, i) => [t.id, { timer: t, grant: grants[i]! }]));
      const rows = ids.flatMap((id, i) => {
        const claim = claims[i]!;
        if (claim.kind !== 'claimed') return [];
        const { timer, grant } = byId.get(id)!;
        const until = now + deps.claim.marginMs + deps.claim.earlyMs + claim.timeoutMs;
        released.push({ timer: { id, url: timer.url, fire_at: timer.due_ms }, claim, lease: { ...grant.lease!, expiresAt: Math.max(grant.startAt, now) + claim.timeoutMs + deps.claim.marginMs } });
        return [{ id, url: timer.url, at: until }];
      });
      await fireAllAgain(deps.shards, rows, deps.dueSoonMs);
      await grantLeases(
        client,
        released.map((r) => r.lease),
      );
    } else {
      // Due a moment later, not now: a poller that published a row before this commit would meet the
      // timer still held, and its claim would drop it (a claim does not wait for a row it did not match).
      await fireAllAgain(
        deps.shards,
        timers.map((t, i) => ({ id: t.id, url: t.url, at: Math.max(grants[i]!.startAt, now + RETURN_DELAY_MS) })),
        deps.dueSoonMs,
      );
      returning.push(...timers);
      await grantLeases(
        client,
        grants.flatMap((g) => (g.lease ? [g.lease] : [])),
      );
    }
    await setFlowClock(client, [{ id: keyId, nextSlotAt: state.nextSlotAt, held: state.held }]);
    return { released, count: timers.length };
  });
  // A commit that took longer than the moment: the rows are written again, due now (the replay's way).
  if (returning.length > 0 && deps.now() - now > RETURN_DELAY_MS / 2)
    await fireAllAgain(
      deps.shards,
      returning.map((t) => ({ id: t.id, url: t.url, at: deps.now() })),
      deps.dueSoonMs,
    );
  if (released.length > 0) deps.deliver(released);
  return count;
}

/**
 * Starts the trigger's releases: `kick(keyIds)` releases those keys soon (a delivery gave their place
 * back), the sweep every SWEEP_INTERVAL_MS releases every key with timers waiting, and lapsed leases
 * are removed every few seconds. Returns the kick and the stop.
 */
export function startReleases(deps: ReleaseDeps, log: Logger) {
  const kicked = new Set<string>();
  let running = false;
  let stopped = false;

  async function run(keys: string[]): Promise<void> {
    for (const key of keys) {
      if (stopped) return;
      // A full release may leave more to let go: once more while it keeps finding work.
      while ((await releaseKey(deps, key)) === RELEASE_MAX && !stopped);
    }
  }

  function pump(): void {
    if (running || kicked.size === 0) return;
    running = true;
    const keys = [...kicked];
    kicked.clear();
    run(keys)
      .catch((err: Error) => log.warn({ err: err.message }, 'could not release held timers'))
      .finally(() => {
        running = false;
        pump();
      });
  }

  const kick = (keyIds: string[]) => {
    for (const id of keyIds) kicked.add(id);
    pump();
  };
  let sweeps = 0;
  const sweep = setInterval(() => {
    const now = deps.now();
    const slotBy = ++sweeps % FULL_SWEEP_EVERY === 0 ? null : now + deps.horizonMs;
    keysToRelease(deps.main, now, SWEEP_KEYS, slotBy).then(kick, (err: Error) => log.warn({ err: err.message }, 'could not look for held timers'));
  }, SWEEP_INTERVAL_MS);
  const lapsed = setInterval(() => {
    endLapsedLeases(deps.main, deps.now()).then(
      (keys) => {
        if (keys.length === 0) return;
        log.info({ keys: keys.length }, 'flow-control leases of deliveries that never answered lapsed (their trigger stopped); their places are free');
        kick(keys);
      },
      (err: Error) => log.warn({ err: err.message }, 'could not remove lapsed flow-control leases'),
    );
  }, LAPSED_LEASES_INTERVAL_MS);
  sweep.unref();
  lapsed.unref();
  return {
    kick,
    stop: () => {
      stopped = true;
      clearInterval(sweep);
      clearInterval(lapsed);
    },
  };
}
