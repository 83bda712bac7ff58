// One line of bench/results/latest.json: a system's figures in one scenario (null where not applicable).
import type { SystemName } from '../options.js';
import type { Summary } from '../metrics/stats.js';

export interface BenchResult {
  system: SystemName;
  scenario: string;
  rate_per_s: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  drain_ms: number | null;
  cpu_s_per_1k: number | null;
  /** scenario-specific extras: counts, failures, early arrivals, CPU by process type, notes */
  [extra: string]: unknown;
}

export function result(system: SystemName, scenario: string, fields: Partial<BenchResult> = {}): BenchResult {
  return { system, scenario, rate_per_s: null, p50_ms: null, p95_ms: null, p99_ms: null, max_ms: null, drain_ms: null, cpu_s_per_1k: null, ...fields };
}

export function percentiles(summary: Summary): Partial<BenchResult> {
  return { p50_ms: summary.p50, p95_ms: summary.p95, p99_ms: summary.p99, max_ms: summary.max };
}
