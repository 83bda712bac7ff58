// simulator: the access-log client simulator, a command against a running stack, not a service.
// Calls: POST /api/data on API_URL with random access-log lines; at the end GET /api/data to count
//   how many accepted records are stored.
// Writes: SIMULATE_OUTPUT_DIR/<worker id>.log, the lines the API accepted from each worker.
// Consumes no queue; touches no database.
// `npm run simulate`: the access-log client simulator. Flags override the environment (THREADS, REQUESTS_DELAY,
// SIMULATE_REQUESTS, SIMULATE_DURATION_S, SIMULATE_OUTPUT_DIR, API_URL; docs/configuration.md).
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/process/config.js';
import { wholeNumberFlag } from '../common/process/cli-flags.js';
import { Simulation, type Progress, type Summary } from './simulate.js';

const HELP = `usage: npm run simulate -- [options]
  --url URL        the API (env API_URL, default http://127.0.0.1:8080)
  --threads N      concurrent workers (env THREADS, default 4)
  --delay MS       each worker waits a random 0..MS ms between requests (env REQUESTS_DELAY, default 100)
  --requests N     stop after N requests in all (env SIMULATE_REQUESTS; 0: no limit)
  --duration S     stop after S seconds (env SIMULATE_DURATION_S; 0: no limit)
  --out DIR        folder of the per-worker <id>.log files (env SIMULATE_OUTPUT_DIR, default simulator-output)
Without --requests or --duration it runs until Ctrl-C. Exits 1 when a request failed or an accepted
record is not stored.`;

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  try {
    return wholeNumberFlag(flag, value, fallback, min);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
}

const line = (p: Progress) => `sent ${p.sent}, accepted ${p.accepted}, errors ${p.errors}, ${(p.sent / Math.max(p.elapsedMs / 1000, 0.001)).toFixed(1)} requests/s`;

function summaryText(s: Summary, outDir: string): string {
  return [
    `sent ${s.sent}, stored ${s.stored}, errors ${s.errors}, ${s.requestsPerSecond.toFixed(1)} requests/s in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `accepted ${s.accepted}; lines of each worker in ${outDir}: ${s.files.map((f) => f.split('/').pop()).join(' ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      threads: { type: 'string' },
      delay: { type: 'string' },
      requests: { type: 'string' },
      duration: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig();
  const outDir = values.out ?? config.SIMULATE_OUTPUT_DIR;
  const simulation = new Simulation({
    apiUrl: (values.url ?? config.API_URL).replace(/\/+$/, ''),
    threads: wholeNumber('threads', values.threads, config.THREADS, 1),
    maxDelayMs: wholeNumber('delay', values.delay, config.REQUESTS_DELAY, 0),
    requests: wholeNumber('requests', values.requests, config.SIMULATE_REQUESTS, 0),
    durationMs: wholeNumber('duration', values.duration, config.SIMULATE_DURATION_S, 0) * 1000,
    outDir,
  });
  const { threads, maxDelayMs, requests, durationMs, apiUrl } = simulation.options;
  const bound = [requests > 0 ? `${requests} requests` : '', durationMs > 0 ? `${durationMs / 1000} s` : ''].filter(Boolean).join(' or ') || 'Ctrl-C';
  console.error(`simulating: ${threads} workers, delay up to ${maxDelayMs} ms, against ${apiUrl}, until ${bound}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => simulation.stop());

  const interactive = process.stderr.isTTY;
  const ticker = setInterval(() => {
    const text = line(simulation.progress());
    process.stderr.write(interactive ? `\r${text}   ` : `${text}\n`);
  }, 1_000);
  const summary = await simulation.run();
  clearInterval(ticker);
  if (interactive) process.stderr.write('\n');
  for (const sample of simulation.errorSamples) console.error(`error: ${sample}`);
  console.log(summaryText(summary, outDir));
  return summary.errors === 0 && summary.stored === summary.accepted ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
