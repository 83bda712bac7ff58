// `npm run bench`: the timer service and two anchors (BullMQ, pg-boss) on identical work: create rate,
// steady-state lateness and cost, a burst, reads, and the same with a far-future backlog. See
// BENCHMARKS.md. Writes bench/results/latest.json and prints a table; exits non-zero on failure.
import { fileURLToPath } from 'node:url';
import { HELP, parseOptions, type BenchOptions, type SystemName } from './options.js';
import { ApiClient } from './load/api-client.js';
import { Receiver } from './load/receiver.js';
import type { SystemUnderTest } from './systems/system.js';
import { startTimerService } from './systems/timer-service.js';
import { startBullmq } from './systems/bullmq.js';
import { startPgBoss } from './systems/pgboss.js';
import type { ScenarioContext } from './scenarios/context.js';
import { runScenarios } from './scenarios/run-all.js';
import type { BenchResult } from './report/result.js';
import { table } from './report/table.js';
import { horizonCheck } from './report/horizon-check.js';
import { writeResults } from './report/write.js';
import { machine } from './report/machine.js';

const RUNS_DIR = fileURLToPath(new URL('./.runs/', import.meta.url));
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${line}`);

function start(name: SystemName, opts: BenchOptions): Promise<SystemUnderTest> {
  const runDir = `${RUNS_DIR}${name}-${process.pid}`;
  if (name === 'timer-service') return startTimerService(opts);
  if (name === 'bullmq') return startBullmq(opts, opts.port + 30, runDir);
  return startPgBoss(opts, opts.port + 40, runDir);
}

let current: SystemUnderTest | null = null;

async function main(): Promise<number> {
  let opts: BenchOptions | null;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!opts) {
    console.log(HELP);
    return 0;
  }
  const meta = { command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), started_at: new Date().toISOString(), machine: await machine(), options: opts };
  say(
    `bench: ${opts.quick ? 'quick' : 'full'} form; systems ${opts.systems.join(', ')}; scenarios ${opts.only.join(', ')}; cpu reference ${meta.machine.cpu_reference_ms} ms (lower is faster; compare runs only when it is alike)`,
  );
  const receiver = new Receiver();
  await receiver.listen(opts.port + 20);
  const results: BenchResult[] = [];
  const settings: Record<string, string> = {};
  let failed = false;
  try {
    for (const name of opts.systems) {
      say(`${name}: starting ...`);
      const system = await start(name, opts);
      current = system;
      settings[name] = system.settings;
      const api = new ApiClient(system.apiUrl, opts.concurrency);
      const ctx: ScenarioContext = { system, api, receiver, opts, say: (line) => say(`${name} ${line}`), createRate: null, createP50Ms: null, createdIds: [] };
      try {
        results.push(...(await runScenarios(ctx)));
        writeResults(results, { ...meta, partial: true, settings });
      } catch (err) {
        failed = true;
        say(`${name}: FAILED: ${(err as Error).stack ?? err}`);
      } finally {
        await api.close();
        say(`${name}: stopping and cleaning up ...`);
        current = null;
        await system.stop();
      }
    }
  } finally {
    await receiver.close();
  }
  const missing = results.filter((r) => typeof r.missing === 'number' && r.missing > 0);
  for (const r of missing) say(`WARNING: ${r.system} ${r.scenario}: ${r.missing} webhooks never arrived`);
  const file = writeResults(results, { ...meta, finished_at: new Date().toISOString(), settings });
  console.log(`\n${table(results, opts.systems)}\n\nratios are timer-service / anchor; results in ${file}`);
  const horizon = horizonCheck(results);
  if (horizon) console.log(`\n${horizon}`);
  if (failed) return 1;
  return missing.some((r) => r.system === 'timer-service') ? 3 : 0;
}

const interrupt = () => {
  say('interrupted: cleaning up ...');
  const stopping = current?.stop() ?? Promise.resolve();
  void stopping.finally(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
