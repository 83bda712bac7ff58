// The horizon scenario's verdict: each figure with the far-future backlog against the same figure
// without it (target: none worse by more than 10 %).
import type { BenchResult } from './result.js';

const CHECKS: Array<{ label: string; base: string; field: keyof BenchResult; higherIsBetter: boolean }> = [
  { label: 'create timers/s', base: 'create', field: 'rate_per_s', higherIsBetter: true },
  { label: 'create latency p99 ms', base: 'create', field: 'p99_ms', higherIsBetter: false },
  { label: 'steady lateness p50 ms', base: 'steady', field: 'p50_ms', higherIsBetter: false },
  { label: 'steady lateness p99 ms', base: 'steady', field: 'p99_ms', higherIsBetter: false },
  { label: 'CPU s per 1k timers', base: 'steady', field: 'cpu_s_per_1k', higherIsBetter: false },
];

export function horizonCheck(results: BenchResult[]): string | null {
  const ts = (scenario: string) => results.find((r) => r.system === 'timer-service' && r.scenario === scenario);
  if (!ts('horizon-steady') && !ts('horizon-create')) return null;
  const lines = ['horizon vs baseline (timer-service):'];
  for (const check of CHECKS) {
    const before = ts(check.base)?.[check.field];
    const after = ts(`horizon-${check.base}`)?.[check.field];
    if (typeof before !== 'number' || typeof after !== 'number' || before === 0) continue;
    const ratio = after / before;
    const worse = check.higherIsBetter ? ratio < 0.9 : ratio > 1.1;
    lines.push(`  ${check.label.padEnd(24)} ${String(before).padStart(9)} -> ${String(after).padStart(9)}  (${ratio.toFixed(2)}x) ${worse ? 'WORSE by >10%' : 'ok'}`);
  }
  return lines.join('\n');
}
