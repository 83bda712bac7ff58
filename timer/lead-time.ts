// How long before its instant a due timer leaves the poller. The trigger claims a timer on arrival and
// sends its webhook at the instant itself, so the lead only has to cover the trip poller -> broker ->
// trigger -> claim; a lead shorter than the trip makes the timer late before the trigger sees it. The
// trip is short on an idle machine and long on a saturated one (or during a stall of the broker), so the
// lead follows it: each published group reports how long it took from the instant it was meant to
// leave until the broker confirmed it (the poller's half of the trip: its own delay plus the publish),
// and the lead is `factor` times the longest such trip of the last seconds (decaying with a half-life),
// never below the configured base nor above its ceiling. A short lead keeps the window small in which a
// cancel or a reschedule finds its timer already being delivered (409).
export interface LeadTimeSettings {
  /** the lead when trips are short (POLLER_PUBLISH_AHEAD_MS) */
  baseMs: number;
  /** the longest lead (POLLER_PUBLISH_AHEAD_MAX_MS) */
  maxMs: number;
  /** lead per millisecond of the poller's half of the trip */
  factor?: number;
  /** how fast a long trip is forgotten */
  halfLifeMs?: number;
}

export class LeadTime {
  private trip = 0;
  private tripAt = 0;
  private readonly factor: number;
  private readonly halfLifeMs: number;

  constructor(
    private readonly settings: LeadTimeSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.factor = settings.factor ?? 4;
    this.halfLifeMs = settings.halfLifeMs ?? 10_000;
  }

  /** The lead now, in milliseconds. */
  get ms(): number {
    const { baseMs, maxMs } = this.settings;
    return Math.round(Math.min(maxMs, Math.max(baseMs, this.factor * this.recentTrip())));
  }

  /** A group meant to leave at `plannedAt` was confirmed by the broker at `confirmedAt`. */
  observe(plannedAt: number, confirmedAt: number): void {
    const trip = Math.max(0, confirmedAt - plannedAt);
    const recent = this.recentTrip();
    if (trip >= recent) {
      this.trip = trip;
      this.tripAt = this.now();
    }
  }

  /** The longest trip observed, decayed by its age. */
  private recentTrip(): number {
    if (this.trip === 0) return 0;
    const age = Math.max(0, this.now() - this.tripAt);
    return this.trip * 2 ** (-age / this.halfLifeMs);
  }
}
