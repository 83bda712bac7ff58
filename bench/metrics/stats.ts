// Percentiles and rates of a list of measurements (nearest-rank on a sorted copy).
export interface Summary {
  count: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, min: null, p50: null, p95: null, p99: null, max: null };
  const at = (q: number) => round(sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  return { count: n, min: round(sorted[0]!), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted[n - 1]!) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
