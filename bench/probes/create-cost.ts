// Probe: CPU per POST /timer of every process type, the whole stack started as the bench starts it,
// 256 closed-loop clients through nginx (or straight at one webserver with --direct). Settles the
// consumers before and after, so their work for these timers is counted. BENCHMARKS.md has figures.
// With --pause-consumers the consumers are stopped (SIGSTOP) for the measured run and resumed after it:
// the timers wait in incoming_timers, so the run measures the ingress alone (load generator, nginx,
// webserver, confirmed publish) without the consumers' and PostgreSQL's share of the same two cores.
// usage: node --import tsx bench/probes/create-cost.ts [--direct] [--pause-consumers] [bench flags, e.g. --webservers 1]
// environment: COUNT (20000), CONCURRENCY (256)
import { startTimerService } from '../systems/timer-service.js';
import { parseOptions } from '../options.js';
import { ApiClient } from '../load/api-client.js';
import { closedLoop } from '../load/closed-loop.js';
import { cpuDelta, snapshot } from '../metrics/cpu.js';
import { summarize } from '../metrics/stats.js';

const OWN_FLAGS = ['--direct', '--pause-consumers'];
const direct = process.argv.includes('--direct');
const pauseConsumers = process.argv.includes('--pause-consumers');
const opts = parseOptions(['--quick', '--port', '19280', ...process.argv.slice(2).filter((a) => !OWN_FLAGS.includes(a))]);
if (!opts) process.exit(0);
const concurrency = Number(process.env.CONCURRENCY ?? 256);
const count = Number(process.env.COUNT ?? 20_000);
const system = await startTimerService(opts);
const signalConsumers = (signal: NodeJS.Signals) => {
  if (pauseConsumers) for (const pid of system.pidGroups().consumer ?? []) process.kill(pid, signal);
};
try {
  const api = new ApiClient(direct ? `http://127.0.0.1:${opts.port + 1}` : system.apiUrl, concurrency);
  const op = async () => (await api.create(86_400, 'http://127.0.0.1:9/hook')) !== null;
  await closedLoop({ concurrency, count: 3_000, op });
  await system.settle();
  signalConsumers('SIGSTOP');
  const before = snapshot(system.pidGroups());
  const ownBefore = process.cpuUsage();
  const run = await closedLoop({ concurrency, count, op });
  if (!pauseConsumers) await system.settle();
  const own = process.cpuUsage(ownBefore);
  const cpu = cpuDelta(before, snapshot(system.pidGroups()));
  signalConsumers('SIGCONT');
  const perRequest = Object.fromEntries(Object.entries(cpu).map(([group, s]) => [group, Math.round((s / count) * 1e6) / 1e3]));
  const latency = summarize(run.latenciesMs);
  console.log(
    JSON.stringify({
      path: direct ? 'straight to webserver-1' : 'through nginx',
      consumers: pauseConsumers ? 'paused during the run' : 'running, settled after the run',
      rate_per_s: Math.round(run.ok / (run.elapsedMs / 1000)),
      failed: run.failed,
      p50_ms: latency.p50,
      p99_ms: latency.p99,
      cpu_ms_per_request: { ...perRequest, load_generator: Math.round((own.user + own.system) / count) / 1e3 },
    }),
  );
  await api.close();
} finally {
  signalConsumers('SIGCONT'); // a stopped process would not act on the SIGTERM that stops the stack
  await system.stop();
}
