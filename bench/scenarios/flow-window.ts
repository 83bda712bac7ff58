// The flow scenario's figures over the arrival times of a limited key's webhooks: the rate achieved
// over their span, and the most that arrived within any one window (1 s: against a limit per second).

/**
 * Deliveries per second over the span from the first arrival to the last: (n - 1) / span, so that n
 * arrivals evenly spaced at the limit give the limit itself (n / span would overstate it by one
 * delivery). Null below two arrivals, or when they all share one millisecond.
 */
export function achievedRate(arrivals: readonly number[]): number | null {
  if (arrivals.length < 2) return null;
  const span = Math.max(...arrivals) - Math.min(...arrivals);
  return span > 0 ? ((arrivals.length - 1) * 1000) / span : null;
}

/**
 * The most arrivals within any window [t, t + windowMs): a sliding window over the sorted times, so a
 * burst that straddles two whole seconds of the clock is counted whole.
 */
export function maxInWindow(arrivals: readonly number[], windowMs: number): number {
  const sorted = Float64Array.from(arrivals).sort();
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
