// Group commit: callers add one item each and await its own result; items that arrive while a batch
// is being written wait and go together in the next one. An idle batcher flushes on the next tick, so a
// lone item pays no waiting time, and a busy one makes large batches by itself. Off the critical path
// (a write nobody waits for), `lingerMs` lets an idle batcher wait that long for company first: items
// trickling in one by one then go in batches too (a full batch goes at once).
export type BatchHandler<T, R> = (items: T[]) => Promise<R[]>;

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class Batcher<T, R = void> {
  private queue: Array<Pending<T, R>> = [];
  private running = 0;
  private scheduled = false;
  private lingering: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];

  /** A batcher for work with no result per item (a write, a publish): each add resolves once its batch is done. */
  static forWork<T>(work: (items: T[]) => Promise<void>, maxSize: number, maxConcurrent = 1, lingerMs = 0): Batcher<T, void> {
    return new Batcher<T, void>(
      async (items) => {
        await work(items);
        return items.map(() => undefined);
      },
      maxSize,
      maxConcurrent,
      lingerMs,
    );
  }

  constructor(
    private readonly handler: BatchHandler<T, R>,
    private readonly maxSize: number,
    private readonly maxConcurrent = 1,
    private readonly lingerMs = 0,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting or being written. */
  get size(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is waiting or being written (for a graceful stop). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running >= this.maxConcurrent) return;
    const full = this.queue.length >= this.maxSize;
    // Already going on the next turn, or lingering with room left: nothing to change.
    if (this.scheduled && !(full && this.lingering)) return;
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = null;
    this.scheduled = true;
    const go = () => {
      this.lingering = null;
      this.scheduled = false;
      this.flush();
    };
    if (this.lingerMs > 0 && !full) this.lingering = setTimeout(go, this.lingerMs);
    else setImmediate(go);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.running < this.maxConcurrent) {
      const batch = this.queue.splice(0, this.maxSize);
      this.running++;
      // Through a promise, so that a handler throwing synchronously fails its batch like a rejection.
      Promise.resolve()
        .then(() => this.handler(batch.map((pending) => pending.item)))
        .then(
          (results) => batch.forEach((pending, i) => pending.resolve(results[i] as R)),
          (err: unknown) => batch.forEach((pending) => pending.reject(err)),
        )
        .finally(() => {
          this.running--;
          if (this.queue.length > 0) this.schedule();
          else if (this.running === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
        });
    }
  }
}
