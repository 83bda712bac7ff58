// Claimed timers held in memory until their due instant: a min-heap on fire_at and one timeout armed
// for the earliest. The earliest entry is released once the clock reaches its fire_at - aheadMs, never
// before, and with it every entry due within windowMs after it: at a steady rate the timers then leave
// in groups (one message, one confirm, one claim query per group) instead of one by one, and each
// still leaves at least aheadMs before its instant (the trigger sends at the instant itself).
export interface Scheduled {
  id: string;
  fire_at: number;
}

export class DueSchedule<T extends Scheduled> {
  private readonly heap: T[] = [];
  private readonly ids = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;

  constructor(
    private readonly onDue: (due: T[]) => void,
    private readonly now: () => number = Date.now,
    /** release this long before fire_at (the trigger then waits for the instant itself) */
    private readonly aheadMs = 0,
    /** release together with the earliest every entry due within this long after it */
    private readonly windowMs = 0,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Adds entries; an id already held is ignored (a row claimed again after its lease ran out). */
  add(entries: T[]): void {
    for (const entry of entries) {
      if (this.ids.has(entry.id)) continue;
      this.ids.add(entry.id);
      this.push(entry);
    }
    this.arm();
  }

  /** Removes and returns everything held (graceful stop). */
  drain(): T[] {
    this.disarm();
    this.ids.clear();
    return this.heap.splice(0);
  }

  stop(): void {
    this.disarm();
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next || next.fire_at >= this.armedFor) return;
    this.disarm();
    this.armedFor = next.fire_at;
    this.timer = setTimeout(() => this.release(), Math.max(0, next.fire_at - this.aheadMs - this.now()));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private release(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = this.now();
    // Nothing before the earliest entry's own release instant (a timeout may come early by the clock).
    const horizon = this.heap.length > 0 && this.heap[0]!.fire_at <= now + this.aheadMs ? now + this.aheadMs + this.windowMs : -Infinity;
    const due: T[] = [];
    while (this.heap.length > 0 && this.heap[0]!.fire_at <= horizon) {
      const entry = this.pop();
      this.ids.delete(entry.id);
      due.push(entry);
    }
    this.arm();
    if (due.length > 0) this.onDue(due);
  }

  private push(entry: T): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.fire_at <= entry.fire_at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): T {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.fire_at < heap[left]!.fire_at ? right : left;
        if (heap[child]!.fire_at >= last.fire_at) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
