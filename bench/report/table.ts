// The terminal summary: one row per figure, one column per system, then the timer service's ratio to
// each anchor (timer-service / anchor: above 1 is better for rates, below 1 is better for times and
// CPU), and the product's target where it has one.
import type { SystemName } from '../options.js';
import type { BenchResult } from './result.js';

interface Row {
  scenario: string;
  field: keyof BenchResult;
  label: string;
  target: string;
  /** false where a ratio says nothing (counts that differ by design, such as runs at another cadence) */
  ratio?: false;
}

const ROWS: Row[] = [
  { scenario: 'create', field: 'rate_per_s', label: 'create timers/s (201)', target: '>= 5000' },
  { scenario: 'create', field: 'p50_ms', label: 'create latency p50 ms', target: '' },
  { scenario: 'create', field: 'p99_ms', label: 'create latency p99 ms', target: '< 50' },
  { scenario: 'create-batch', field: 'rate_per_s', label: 'batch create timers/s', target: '>= 15000' },
  { scenario: 'create-batch', field: 'p99_ms', label: 'batch request p99 ms (100)', target: '' },
  { scenario: 'steady', field: 'p50_ms', label: 'steady lateness p50 ms', target: '<= 5' },
  { scenario: 'steady', field: 'p95_ms', label: 'steady lateness p95 ms', target: '' },
  { scenario: 'steady', field: 'p99_ms', label: 'steady lateness p99 ms', target: '<= 20' },
  { scenario: 'steady', field: 'max_ms', label: 'steady lateness max ms', target: '' },
  { scenario: 'steady', field: 'p99_ms_after_first_tenth', label: 'steady p99 after 1st tenth', target: '' },
  { scenario: 'steady', field: 'due_rate_per_s', label: 'steady due rate /s', target: '1000' },
  { scenario: 'steady', field: 'early', label: 'steady early arrivals', target: '0' },
  { scenario: 'burst', field: 'drain_ms', label: 'burst drain ms', target: '<= 2000 (20k)' },
  { scenario: 'burst', field: 'p50_ms', label: 'burst lateness p50 ms', target: '' },
  { scenario: 'burst', field: 'p99_ms', label: 'burst lateness p99 ms', target: '' },
  { scenario: 'burst', field: 'max_ms', label: 'burst lateness max ms', target: '<= 2000 (20k)' },
  { scenario: 'read', field: 'rate_per_s', label: 'read requests/s', target: '' },
  { scenario: 'read', field: 'p99_ms', label: 'read latency p99 ms', target: '' },
  { scenario: 'logs-ingest', field: 'rate_per_s', label: 'log ingest records/s (201)', target: '' },
  { scenario: 'logs-ingest', field: 'stored_rate_per_s', label: 'log ingest readable records/s', target: '' },
  { scenario: 'logs-ingest', field: 'p99_ms', label: 'log ingest latency p99 ms', target: '' },
  { scenario: 'logs-read', field: 'rate_per_s', label: 'log cursor read records/s', target: '' },
  { scenario: 'tasks', field: 'rate_per_s', label: 'no-op tasks/s (submit to done)', target: '' },
  { scenario: 'task-round-trip', field: 'p50_ms', label: 'sync task round trip p50 ms', target: '' },
  { scenario: 'task-round-trip', field: 'p99_ms', label: 'sync task round trip p99 ms', target: '' },
  { scenario: 'cost', field: 'cpu_s_per_1k', label: 'CPU s per 1k timers', target: '' },
  { scenario: 'schedules', field: 'cadence', label: 'schedules: cadence', target: '' },
  { scenario: 'schedules', field: 'p50_ms', label: 'schedules: lateness p50 ms', target: '' },
  { scenario: 'schedules', field: 'p99_ms', label: 'schedules: lateness p99 ms', target: '' },
  { scenario: 'schedules', field: 'max_ms', label: 'schedules: lateness max ms', target: '' },
  { scenario: 'schedules', field: 'runs_expected', label: 'schedules: runs expected', target: '', ratio: false },
  { scenario: 'schedules', field: 'runs_received', label: 'schedules: runs received', target: '= expected', ratio: false },
  { scenario: 'schedules', field: 'runs_created_twice', label: 'schedules: runs created twice', target: '0', ratio: false },
  { scenario: 'schedules', field: 'duplicate_deliveries', label: 'schedules: duplicate deliveries', target: '0', ratio: false },
  { scenario: 'schedules', field: 'cpu_s_per_1k', label: 'schedules: CPU s per 1k runs', target: '' },
  { scenario: 'flow', field: 'rate_per_s', label: 'flow: limited key deliveries/s', target: '50', ratio: false },
  { scenario: 'flow', field: 'max_per_1s_window', label: 'flow: limited key most in 1 s', target: '<= 50', ratio: false },
  { scenario: 'flow', field: 'max_in_flight', label: 'flow: limited key most in flight', target: '<= 10', ratio: false },
  { scenario: 'flow', field: 'p50_ms', label: 'flow: free key lateness p50 ms', target: '' },
  { scenario: 'flow', field: 'p99_ms', label: 'flow: free key lateness p99 ms', target: '' },
  { scenario: 'flow', field: 'max_ms', label: 'flow: free key lateness max ms', target: '' },
  { scenario: 'flow', field: 'cpu_s_per_1k', label: 'flow: CPU s per 1k timers', target: '' },
  { scenario: 'lifecycle-baseline', field: 'p99_ms', label: 'lifecycle: steady p99 ms, no removal', target: '' },
  { scenario: 'lifecycle-removal', field: 'p99_ms', label: 'lifecycle: steady p99 ms, removing', target: 'within 10%' },
  { scenario: 'lifecycle-removal', field: 'p99_ratio', label: 'lifecycle: p99 removing / not', target: '<= 1.1', ratio: false },
  { scenario: 'lifecycle-removal', field: 'removal_ms', label: 'lifecycle: removal ms', target: '', ratio: false },
  { scenario: 'lifecycle-removal', field: 'bytes_before_removal', label: 'lifecycle: bytes before removal', target: '', ratio: false },
  { scenario: 'lifecycle-removal', field: 'bytes_after_removal', label: 'lifecycle: bytes after removal', target: '~ retained', ratio: false },
  { scenario: 'lifecycle-removal', field: 'bytes_retained', label: 'lifecycle: bytes retained', target: '', ratio: false },
  { scenario: 'lifecycle-removal', field: 'seeded_timers_left', label: 'lifecycle: seeded timers left', target: '0', ratio: false },
  { scenario: 'horizon-create', field: 'rate_per_s', label: 'horizon: create timers/s', target: 'within 10%' },
  { scenario: 'horizon-create', field: 'p99_ms', label: 'horizon: create p99 ms', target: 'within 10%' },
  { scenario: 'horizon-steady', field: 'p50_ms', label: 'horizon: steady p50 ms', target: 'within 10%' },
  { scenario: 'horizon-steady', field: 'p99_ms', label: 'horizon: steady p99 ms', target: 'within 10%' },
];

// The mixed scenario's rows, for each rate it ran at (its targets: the product's at 1,000/s).
function mixedRows(results: BenchResult[]): Row[] {
  const rates = [...new Set(results.filter((r) => r.scenario.startsWith('mixed-')).map((r) => r.rate_per_s))].filter((rate): rate is number => typeof rate === 'number').sort((a, b) => a - b);
  return rates.flatMap((rate) => {
    const scenario = `mixed-${rate}`;
    const at1k = rate === 1_000;
    return [
      { scenario, field: 'p50_ms', label: `mixed ${rate}/s lateness p50 ms`, target: '' },
      { scenario, field: 'p99_ms', label: `mixed ${rate}/s lateness p99 ms`, target: at1k ? '<= 20' : '< bullmq' },
      { scenario, field: 'max_ms', label: `mixed ${rate}/s lateness max ms`, target: at1k ? '<= 100' : '' },
      { scenario, field: 'create_p99_ms', label: `mixed ${rate}/s create p99 ms`, target: '' },
      { scenario, field: 'cpu_s_per_1k', label: `mixed ${rate}/s CPU s per 1k`, target: '<= 0.9' },
    ];
  });
}

const fmt = (value: unknown) => (typeof value === 'number' ? String(value) : value === undefined || value === null ? '-' : String(value));

export function table(results: BenchResult[], systems: SystemName[]): string {
  const find = (system: SystemName, scenario: string) => results.find((r) => r.system === system && r.scenario === scenario);
  const anchors = systems.filter((s) => s !== 'timer-service');
  const header = ['figure', ...systems, ...anchors.map((a) => `ts/${a}`), 'target'];
  const lines: string[][] = [header];
  const steadyEnd = ROWS.findIndex((row) => row.scenario === 'burst');
  const rows = [...ROWS.slice(0, steadyEnd), ...mixedRows(results), ...ROWS.slice(steadyEnd)];
  for (const row of rows) {
    const values = systems.map((s) => find(s, row.scenario)?.[row.field]);
    if (values.every((v) => v === undefined || v === null)) continue;
    const ts = find('timer-service', row.scenario)?.[row.field];
    const ratios = anchors.map((a) => {
      if (row.ratio === false) return '-';
      const other = find(a, row.scenario)?.[row.field];
      return typeof ts === 'number' && typeof other === 'number' && other !== 0 ? `${(ts / other).toFixed(2)}x` : '-';
    });
    lines.push([row.label, ...values.map(fmt), ...ratios, row.target]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
