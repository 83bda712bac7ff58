// The runs of recurring schedules as the webhook receiver saw them: each delivery names its schedule,
// the instant it was scheduled for and the run's own id (a timer id, a job id). A run created twice is
// one (schedule, instant) pair that arrived under more than one run id; a duplicate delivery is one run
// id that arrived more than once. Lateness is the first arrival minus the instant.

interface Run {
  scheduleId: string;
  instant: number;
  firstAt: number;
  /** deliveries per run id */
  deliveries: Map<string, number>;
}

export interface RunCounts {
  /** distinct (schedule, instant) pairs received */
  received: number;
  /** every delivery, duplicates included */
  deliveries: number;
  /** pairs received under more than one run id (each such pair counts once) */
  createdTwice: number;
  /** deliveries of a run id beyond its first */
  duplicateDeliveries: number;
  /** first arrival minus the instant, per pair (ms) */
  latenessMs: number[];
}

export class ScheduleRuns {
  private readonly runs = new Map<string, Run>();

  /** One delivery; `instant` as the webhook gave it (an ISO instant). False when it cannot be read. */
  record(scheduleId: string, instant: string, runId: string, at: number): boolean {
    const ms = Date.parse(instant);
    if (!Number.isFinite(ms)) return false;
    const key = `${scheduleId} ${ms}`;
    let run = this.runs.get(key);
    if (!run) {
      run = { scheduleId, instant: ms, firstAt: at, deliveries: new Map() };
      this.runs.set(key, run);
    }
    run.firstAt = Math.min(run.firstAt, at);
    run.deliveries.set(runId, (run.deliveries.get(runId) ?? 0) + 1);
    return true;
  }

  /** The runs of `schedules` whose instant lies in [from, to). */
  counts(schedules: ReadonlySet<string>, from: number, to: number): RunCounts {
    const out: RunCounts = { received: 0, deliveries: 0, createdTwice: 0, duplicateDeliveries: 0, latenessMs: [] };
    for (const run of this.runs.values()) {
      if (!schedules.has(run.scheduleId) || run.instant < from || run.instant >= to) continue;
      out.received++;
      out.latenessMs.push(run.firstAt - run.instant);
      if (run.deliveries.size > 1) out.createdTwice++;
      for (const n of run.deliveries.values()) {
        out.deliveries += n;
        out.duplicateDeliveries += n - 1;
      }
    }
    return out;
  }

  /** Runs of `schedules` first delivered in [from, to], whatever their instant (the CPU's denominator). */
  deliveredBetween(schedules: ReadonlySet<string>, from: number, to: number): number {
    let n = 0;
    for (const run of this.runs.values()) if (schedules.has(run.scheduleId) && run.firstAt >= from && run.firstAt <= to) n++;
    return n;
  }

  /** The latest first arrival among the runs of `schedules` whose instant lies in [from, to). */
  lastArrival(schedules: ReadonlySet<string>, from: number, to: number): number | null {
    let last: number | null = null;
    for (const run of this.runs.values()) {
      if (schedules.has(run.scheduleId) && run.instant >= from && run.instant < to) last = Math.max(last ?? -Infinity, run.firstAt);
    }
    return last;
  }
}
