// Per-destination limits of the trigger: at most `concurrency` webhooks in flight to one host, and
// optionally at most `ratePerSecond` started per second. A few more may wait here in memory; beyond
// that a timer is handed back to the caller to be deferred, so a slow or hanging host never holds
// the queue's prefetch window that other hosts' timers need (no head-of-line blocking).

export interface HostLimits {
  concurrency: number;
  /** 0: no rate limit */
  ratePerSecond: number;
  /** how many may wait here for a slot of one host before further ones are deferred */
  maxWaiting: number;
}

export type Release = () => void;

interface HostState {
  active: number;
  waiting: Array<(release: Release) => void>;
  tokens: number;
  refilledAt: number;
  timer: NodeJS.Timeout | null;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly limits: HostLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** A slot for one webhook to `host` (resolves when it is free), or null when too many already wait. */
  acquire(host: string): Promise<Release> | null {
    const state = this.stateOf(host);
    if (state.waiting.length >= this.limits.maxWaiting && !this.canStart(state)) return null;
    const slot = new Promise<Release>((resolve) => state.waiting.push(resolve));
    this.pump(host, state);
    return slot;
  }

  /** Webhooks in flight and waiting per host (for logs and tests). */
  load(host: string): { active: number; waiting: number } {
    const state = this.hosts.get(host);
    return { active: state?.active ?? 0, waiting: state?.waiting.length ?? 0 };
  }

  private stateOf(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { active: 0, waiting: [], tokens: this.limits.ratePerSecond, refilledAt: this.now(), timer: null };
      this.hosts.set(host, state);
    }
    return state;
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
      state.active += 1;
      if (this.limits.ratePerSecond > 0) state.tokens -= 1;
      const grant = state.waiting.shift()!;
      let released = false;
      grant(() => {
        if (released) return;
        released = true;
        state.active -= 1;
        this.pump(host, state);
      });
    }
    if (state.waiting.length > 0 && state.active < this.limits.concurrency && !state.timer) {
      // Waiting for a token: come back when the next one is due.
      const wait = Math.ceil(((1 - state.tokens) * 1000) / this.limits.ratePerSecond);
      state.timer = setTimeout(() => {
        state.timer = null;
        this.pump(host, state);
      }, wait);
    }
    if (state.active === 0 && state.waiting.length === 0 && !state.timer && state.tokens >= this.limits.ratePerSecond) this.hosts.delete(host);
  }
}
