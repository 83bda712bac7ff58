// What a flow key's capacity allows, as pure functions over the key's locked row: whether each timer
// asking may go now (and at which instant, for the key's rate), or waits on the key; and how many of
// the timers waiting a release may let go. A key's rate spaces starts evenly, `period_s * 1000 / rate`
// ms apart, on one clock every trigger shares (next_slot_at); its parallelism counts the leases of
// deliveries in flight. A timer never jumps the queue: while any wait on its key, a newcomer waits too.

export interface KeyState {
  id: string;
  rate: number | null;
  periodS: number;
  parallelism: number | null;
  /** epoch ms; Infinity: until resumed; null: not paused */
  pausedUntil: number | null;
  /** epoch ms: the earliest start of the next delivery; null: never used */
  nextSlotAt: number | null;
  /** timers waiting on the key */
  held: number;
  /** deliveries in flight (unexpired leases) */
  active: number;
}

export interface Lease {
  keyId: string;
  timerId: string;
  startAt: number;
  expiresAt: number;
}

export interface Ask {
  timerId: string;
  /** the pauses that apply (all deliveries, the timer's host), in that order: any paused one holds it */
  pauses: string[];
  /** its own flow key's row id; null: none */
  key: string | null;
  /** the lease it already holds on its key (granted when a release let it go); null: none */
  lease: Lease | null;
  /** how long a delivery of this timer may take (its webhook timeout and a margin): its lease's length */
  leaseMs: number;
}

export type Answer =
  /** go at `startAt` (the key's rate), with this lease to give back once answered (null: nothing to give back) */
  | { kind: 'go'; startAt: number; lease: Lease | null }
  /** wait on this key, host or all deliveries */
  | { kind: 'held'; on: string };

export const isPaused = (state: KeyState, now: number): boolean => state.pausedUntil !== null && state.pausedUntil > now;

const spacing = (state: KeyState): number => (state.periodS * 1000) / state.rate!;

/**
 * admit(states, asks, now, horizonMs): an answer per ask, in order (callers order asks by due time);
 * the states are moved on as the answers use them (next slot, in flight, waiting). A key's rate lets a
 * timer go when its slot is within `horizonMs`; it then waits for the slot before it is sent.
 */
export function admit(states: Map<string, KeyState>, asks: Ask[], now: number, horizonMs: number): Answer[] {
  return asks.map((ask): Answer => {
    for (const id of ask.pauses) {
      const state = states.get(id);
      if (state && isPaused(state, now)) {
        state.held += 1;
        return { kind: 'held', on: id };
      }
    }
    const state = ask.key === null ? undefined : states.get(ask.key);
    // A key without a row (named without limits, never paused) limits nothing.
    if (!state) return { kind: 'go', startAt: now, lease: null };
    if (isPaused(state, now)) {
      state.held += 1;
      return { kind: 'held', on: state.id };
    }
    // Let go by a release, with its slot and its place in flight already taken.
    if (ask.lease && ask.lease.expiresAt > now) return { kind: 'go', startAt: ask.lease.startAt, lease: { ...ask.lease, expiresAt: Math.max(ask.lease.startAt, now) + ask.leaseMs } };
    const slot = Math.max(state.nextSlotAt ?? now, now);
    const full = state.parallelism !== null && state.active >= state.parallelism;
    if (state.held > 0 || full || (state.rate !== null && slot > now + horizonMs)) {
      state.held += 1;
      return { kind: 'held', on: state.id };
    }
    return { kind: 'go', ...take(state, ask.timerId, slot, ask.leaseMs) };
  });
}

/**
 * Takes the slot at `slot` (and a place in flight) on the key for one timer. A timer let go by a release
 * always gets a lease: it is its ticket past the timers still waiting when it comes back.
 */
function take(state: KeyState, timerId: string, slot: number, leaseMs: number, ticket = false): { startAt: number; lease: Lease | null } {
  if (state.rate !== null) state.nextSlotAt = slot + spacing(state);
  if (state.parallelism === null && !ticket) return { startAt: slot, lease: null };
  state.active += 1;
  return { startAt: slot, lease: { keyId: state.id, timerId, startAt: slot, expiresAt: slot + leaseMs } };
}

/**
 * releasable(state, now, horizonMs, max): how many of the key's waiting timers may be let go now: none
 * while paused; no more than its free places in flight, nor than its rate's slots within `horizonMs`.
 */
export function releasable(state: KeyState, now: number, horizonMs: number, max: number): number {
  if (isPaused(state, now)) return 0;
  let n = Math.min(state.held, max);
  if (state.parallelism !== null) n = Math.min(n, Math.max(0, state.parallelism - state.active));
  if (state.rate !== null) {
    const first = Math.max(state.nextSlotAt ?? now, now);
    const slots = first > now + horizonMs ? 0 : Math.floor((now + horizonMs - first) / spacing(state)) + 1;
    n = Math.min(n, slots);
  }
  return n;
}

/**
 * letGo(state, timerIds, now, leaseMs): the slots and leases of timers a release lets go, in order (the
 * caller took no more than releasable()); the state is moved on.
 */
export function letGo(state: KeyState, timerIds: string[], now: number, leaseMs: number): Array<{ startAt: number; lease: Lease | null }> {
  state.held = Math.max(0, state.held - timerIds.length);
  return timerIds.map((timerId) => take(state, timerId, Math.max(state.nextSlotAt ?? now, now), leaseMs, true));
}
