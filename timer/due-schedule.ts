// Claimed timers held in memory until their due instant: a min-heap on fire_at and one timeout armed
// for the earliest. The earliest entry is released once the clock reaches its fire_at - aheadMs, never
// before, and with it every entry due within windowMs after it: at a steady rate the timers then leave
// in groups (one message, one confirm, one claim query per group) instead of one by one, and each
// still leaves at least aheadMs before its instant (the trigger sends at the instant itself). The lead
// may change from one release to the next (timer/lead-time.ts); rearm() applies a new one at once.
export interface Scheduled {
  id: string;
  fire_at: number;
}

export class DueSchedule<T extends Scheduled> {
  private readonly heap: T[] = [];
  /** id -> when it was added (a group cannot have been meant to leave before its last entry arrived) */
  private readonly added = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;

  constructor(
    /** `plannedAt`: the instant the group was meant to leave (its earliest fire_at - the lead, or when its last entry arrived, if later) */
    private readonly onDue: (due: T[], plannedAt: number) => void,
    private readonly now: () => number = Date.now,
    /** release this long before fire_at (the trigger then waits for the instant itself); a function when the lead changes */
    private readonly ahead: number | (() => number) = 0,
    /** release together with the earliest every entry due within this long after it */
    private readonly windowMs = 0,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Adds entries; an id already held is ignored (a row claimed again after its lease ran out). */
  add(entries: T[]): void {
    const now = this.now();
    for (const entry of entries) {
      if (this.added.has(entry.id)) continue;
      this.added.set(entry.id, now);
      this.push(entry);
    }
    this.arm();
  }

  /** Arms again for the lead as it is now (after it changed). */
  rearm(): void {
    this.disarm();
    this.arm();
  }

  /** Removes and returns everything held (graceful stop). */
  drain(): T[] {
    this.disarm();
    this.added.clear();
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
    this.timer = setTimeout(() => this.release(), Math.max(0, next.fire_at - this.aheadMs() - this.now()));
  }

  private aheadMs(): number {
    return typeof this.ahead === 'number' ? this.ahead : this.ahead();
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
    const ahead = this.aheadMs();
    // Nothing before the earliest entry's own release instant (a timeout may come early by the clock).
    const horizon = this.heap.length > 0 && this.heap[0]!.fire_at <= now + ahead ? now + ahead + this.windowMs : -Infinity;
    const due: T[] = [];
    let plannedAt = this.heap[0] ? this.heap[0].fire_at - ahead : now;
    while (this.heap.length > 0 && this.heap[0]!.fire_at <= horizon) {
      const entry = this.pop();
      plannedAt = Math.max(plannedAt, this.added.get(entry.id) ?? plannedAt);
      this.added.delete(entry.id);
      due.push(entry);
    }
    this.arm();
    if (due.length > 0) this.onDue(due, Math.min(plannedAt, now));
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
