// Probe: CPU per POST /timer of every process type, the whole stack started as the bench starts it,
// 256 closed-loop clients through nginx (or straight at one webserver with --direct). Settles the
// consumers before and after, so their work for these timers is counted. BENCHMARKS.md has figures.
// usage: node --import tsx bench/probes/create-cost.ts [--direct] [bench flags, e.g. --webservers 1]
// environment: COUNT (20000), CONCURRENCY (256)
import { startTimerService } from '../systems/timer-service.js';
import { parseOptions } from '../options.js';
import { ApiClient } from '../load/api-client.js';
import { closedLoop } from '../load/closed-loop.js';
import { cpuDelta, snapshot } from '../metrics/cpu.js';
import { summarize } from '../metrics/stats.js';

const direct = process.argv.includes('--direct');
const opts = parseOptions(['--quick', '--port', '19280', ...process.argv.slice(2).filter((a) => a !== '--direct')]);
if (!opts) process.exit(0);
const concurrency = Number(process.env.CONCURRENCY ?? 256);
const count = Number(process.env.COUNT ?? 20_000);
const system = await startTimerService(opts);
try {
  const api = new ApiClient(direct ? `http://127.0.0.1:${opts.port + 1}` : system.apiUrl, concurrency);
  const op = async () => (await api.create(86_400, 'http://127.0.0.1:9/hook')) !== null;
  await closedLoop({ concurrency, count: 3_000, op });
  await system.settle();
  const before = snapshot(system.pidGroups());
  const ownBefore = process.cpuUsage();
  const run = await closedLoop({ concurrency, count, op });
  await system.settle();
  const own = process.cpuUsage(ownBefore);
  const cpu = cpuDelta(before, snapshot(system.pidGroups()));
  const perRequest = Object.fromEntries(Object.entries(cpu).map(([group, s]) => [group, Math.round((s / count) * 1e6) / 1e3]));
  const latency = summarize(run.latenciesMs);
  console.log(
    JSON.stringify({
      path: direct ? 'straight to webserver-1' : 'through nginx',
      rate_per_s: Math.round(run.ok / (run.elapsedMs / 1000)),
      failed: run.failed,
      p50_ms: latency.p50,
      p99_ms: latency.p99,
      cpu_ms_per_request: { ...perRequest, load_generator: Math.round((own.user + own.system) / count) / 1e3 },
    }),
  );
  await api.close();
} finally {
  await system.stop();
}
