// Bounds the scrypt work of one webserver. A hash takes about 90 ms of a libuv threadpool thread (4 by
// default) and 32 MiB; unbounded, a burst of logins fills the pool, so that every DNS lookup and file
// read of other requests queues behind it, and takes CPU from the event loop. A few hashes run at once
// (PASSWORD_HASH_CONCURRENCY), a bounded number of requests wait for a slot in arrival order
// (PASSWORD_HASH_QUEUE), and any more are refused at once with PasswordWorkBusyError (503 overloaded,
// Retry-After), rather than queueing without bound.

export class PasswordWorkBusyError extends Error {
  override name = 'PasswordWorkBusyError';
}

export class PasswordSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** run(work): runs the hashing work in a slot; throws PasswordWorkBusyError when every slot and the queue are taken. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw new PasswordWorkBusyError('every password hashing slot is taken');
      // The slot is handed over by the finishing work: `running` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Hashes running and requests waiting (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
