// Per-destination limits of the trigger: at most `concurrency` webhooks in flight to one host, and
// optionally at most `ratePerSecond` started per second. Timers for a host at its limit wait here in
// memory while the host keeps answering: a fast host that is merely busy (a burst) drains its wait
// in moments. Once a host stalls (every slot taken and no answer for `stallMs`), at most
// `maxWaiting` keep waiting and the rest are handed back to be deferred, so a slow or hanging host
// never holds the queue's prefetch window that other hosts' timers need (no head-of-line blocking).
// A host held back by its rate limit waits for tokens, not answers: its wait is bounded at once.
// A slot is taken before its timer is claimed and sent at its instant; the stall clock counts from the
// last answer or the last request that left, so slots held by timers not yet sent do not make a host
// look stalled (a burst's first claims on a busy machine can take longer than stallMs).

export interface HostLimits {
  concurrency: number;
  /** 0: no rate limit */
  ratePerSecond: number;
  /** how many may wait for a slot of a stalled or rate-limited host before further ones are deferred */
  maxWaiting: number;
  /** a host with every slot taken that has not answered for this long is stalled */
  stallMs: number;
}

export type Release = () => void;

/** A slot for one webhook, or `null`: the host is stalled or rate-limited, defer the timer. */
export type Slot = Promise<Release | null>;

interface HostState {
  active: number;
  waiting: Array<(release: Release | null) => void>;
  tokens: number;
  refilledAt: number;
  /** when a slot last came free, a request last left, or the host went from idle to busy */
  progressAt: number;
  tokenTimer: NodeJS.Timeout | null;
  stallTimer: NodeJS.Timeout | null;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private limits: HostLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** New limits (this trigger's share of the deployment's, trigger/host-shares.ts); slots already taken stay. */
  setLimits(limits: Pick<HostLimits, 'concurrency' | 'ratePerSecond'>): void {
    this.limits = { ...this.limits, ...limits };
    for (const [host, state] of this.hosts) {
      state.tokens = Math.min(state.tokens, this.limits.ratePerSecond);
      this.pump(host, state);
    }
  }

  acquire(host: string): Slot {
    const state = this.stateOf(host);
    if (state.waiting.length >= this.limits.maxWaiting && !this.canStart(state) && this.bounded(state)) return Promise.resolve(null);
    const slot = new Promise<Release | null>((resolve) => state.waiting.push(resolve));
    this.pump(host, state);
    return slot;
  }

  /** A request to `host` is leaving now, on a slot taken earlier: progress, for the stall clock. */
  started(host: string): void {
    const state = this.hosts.get(host);
    if (state) state.progressAt = this.now();
  }

  /** Webhooks in flight and waiting per host (for logs and tests). */
  load(host: string): { active: number; waiting: number } {
    const state = this.hosts.get(host);
    return { active: state?.active ?? 0, waiting: state?.waiting.length ?? 0 };
  }

  private stateOf(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      const at = this.now();
      state = { active: 0, waiting: [], tokens: this.limits.ratePerSecond, refilledAt: at, progressAt: at, tokenTimer: null, stallTimer: null };
      this.hosts.set(host, state);
    }
    return state;
  }

  /** Whether the host's wait is bounded by maxWaiting now: it is stalled, or held back by its rate. */
  private bounded(state: HostState): boolean {
    const rateBound = this.limits.ratePerSecond > 0 && state.tokens < 1 && state.active < this.limits.concurrency;
    return rateBound || this.now() - state.progressAt >= this.limits.stallMs;
  }

  private refill(state: HostState): void {
    const rate = this.limits.ratePerSecond;
    if (rate === 0) return;
    const at = this.now();
    state.tokens = Math.min(rate, state.tokens + ((at - state.refilledAt) * rate) / 1000);
    state.refilledAt = at;
  }

  private canStart(state: HostState): boolean {
    this.refill(state);
    return state.active < this.limits.concurrency && (this.limits.ratePerSecond === 0 || state.tokens >= 1);
  }

  private pump(host: string, state: HostState): void {
    while (state.waiting.length > 0 && this.canStart(state)) {
      if (state.active === 0) state.progressAt = this.now();
      state.active += 1;
      if (this.limits.ratePerSecond > 0) state.tokens -= 1;
      const grant = state.waiting.shift()!;
      let released = false;
      grant(() => {
        if (released) return;
        released = true;
        state.active -= 1;
        state.progressAt = this.now();
        this.pump(host, state);
      });
    }
    this.shedIfBounded(host, state);
    if (state.waiting.length > 0 && state.active < this.limits.concurrency && !state.tokenTimer) {
      // Waiting for a token: come back when the next one is due.
      const wait = Math.ceil(((1 - state.tokens) * 1000) / this.limits.ratePerSecond);
      state.tokenTimer = setTimeout(() => {
        state.tokenTimer = null;
        this.pump(host, state);
      }, wait);
    }
    const idle = state.active === 0 && state.waiting.length === 0 && !state.tokenTimer && !state.stallTimer;
    if (idle && state.tokens >= this.limits.ratePerSecond) this.hosts.delete(host);
  }

  /**
   * More than maxWaiting wait: when the host is stalled or rate-bound, the newest beyond maxWaiting are
   * told to defer; otherwise look again when it would count as stalled.
   */
  private shedIfBounded(host: string, state: HostState): void {
    if (state.waiting.length <= this.limits.maxWaiting) return;
    if (this.bounded(state)) {
      for (const defer of state.waiting.splice(this.limits.maxWaiting)) defer(null);
      return;
    }
    if (state.stallTimer) return;
    state.stallTimer = setTimeout(
      () => {
        state.stallTimer = null;
        this.pump(host, state);
      },
      Math.max(1, state.progressAt + this.limits.stallMs - this.now()),
    );
  }
}
