// The work a process has under way (deliveries being handled, publishes awaiting their confirm), so
// that a graceful stop can wait for all of it: each piece leaves the set once it settles, whatever
// its outcome, and drained() resolves once none is left of what was there when it was called.
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  /** Tracks a piece of work until it settles; returns it unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.work.add(promise);
    const untrack = () => void this.work.delete(promise);
    promise.then(untrack, untrack);
    return promise;
  }

  get size(): number {
    return this.work.size;
  }

  /** Resolves once every piece tracked so far has settled (rejections included). */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.work]);
  }
}
