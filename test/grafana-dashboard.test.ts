// The Grafana dashboard (deploy/grafana/timer-service.json) only queries metrics the code defines, and
// shows every timer_* metric the code defines: a renamed or new metric fails here, not on a blank panel.
import { readFileSync } from 'node:fs';
import { metricNames } from '../common/observability/metrics.js';

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync(new URL('../deploy/grafana/timer-service.json', import.meta.url), 'utf8')) as { panels: Panel[]; uid: string };

/** The metric names a PromQL expression reads (histogram series mapped to their histogram). */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((name) => !/^\d/.test(name))
    .map((name) => name.replace(/_(bucket|sum|count)$/, ''));
}

const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

test('the expression parser finds metric names, not functions or labels', () => {
  expect(metricsIn('histogram_quantile(0.99, sum by (le) (rate(timer_lateness_seconds_bucket{attempt="first"}[5m])))')).toEqual(['timer_lateness_seconds']);
  expect(metricsIn('sum by (stage) (rate(timer_batch_size_sum[5m])) / sum by (stage) (rate(timer_batch_size_count[5m]))')).toEqual(['timer_batch_size', 'timer_batch_size']);
});

test('every metric the dashboard queries is defined in common/observability/metrics.ts (or is a default process metric)', async () => {
  expect(exprs.length).toBeGreaterThan(10);
  const defined = await metricNames();
  const unknown = exprs.flatMap(({ panel, expr }) =>
    metricsIn(expr)
      .filter((name) => !defined.has(name))
      .map((name) => `${panel}: ${name}`),
  );
  expect(unknown).toEqual([]);
});

test('every timer_* metric the code defines is on the dashboard', async () => {
  const used = new Set(exprs.flatMap(({ expr }) => metricsIn(expr)));
  const unused = [...(await metricNames())].filter((name) => name.startsWith('timer_') && !used.has(name));
  expect(unused).toEqual([]);
});

test('the dashboard is importable: a uid, a Prometheus datasource variable, panels with ids and positions', () => {
  expect(dashboard.uid).toBe('timer-service');
  for (const panel of dashboard.panels) {
    expect(panel).toMatchObject({ id: expect.any(Number), gridPos: expect.objectContaining({ w: expect.any(Number), h: expect.any(Number) }) });
  }
});
