// Scenario "logs" (the access-log store, timer service only): access-log ingest through nginx from 256 concurrent
// keep-alive clients (POST /api/data answered 201, and the rate at which those records become readable
// through the cursor), then one reader paging through every record by cursor, 1000 at a time.
import { performance } from 'node:perf_hooks';
import { randomLogLine } from '../../simulator/log-lines.js';
import { closedLoop } from '../load/closed-loop.js';
import { summarize } from '../metrics/stats.js';
import { percentiles, result, type BenchResult } from '../report/result.js';
import { sleep, type ScenarioContext } from './context.js';

const PAGE = 1_000;

/** Pages from record `after` (the start when null) to the end of the log as it is now. */
async function follow(ctx: ScenarioContext, after: string | null): Promise<{ records: number; last: string | null; ms: number }> {
  const start = performance.now();
  let records = 0;
  let last = after;
  for (;;) {
    const page = await ctx.api.readLogs(last, PAGE);
    records += page.length;
    if (page.length > 0) last = page[page.length - 1]!;
    if (page.length < PAGE) return { records, last, ms: performance.now() - start };
  }
}

export async function runLogs(ctx: ScenarioContext): Promise<BenchResult[]> {
  const { api, opts } = ctx;
  const lines = Array.from({ length: 10_000 }, () => randomLogLine());
  const op = async (i: number) => (await api.postLog(lines[i % lines.length]!)) !== null;
  await closedLoop({ concurrency: opts.concurrency, durationMs: 1_000, op });
  let position = (await follow(ctx, null)).last;
  const start = performance.now();
  const run = await closedLoop({ concurrency: opts.concurrency, durationMs: opts.readSeconds * 1000, op });
  // Stored and readable: every record accepted in the run has come through the cursor.
  for (let readable = 0; readable < run.ok;) {
    const next = await follow(ctx, position);
    readable += next.records;
    position = next.last;
    if (next.records === 0) await sleep(5);
  }
  const storedMs = performance.now() - start;
  const rate = Math.round(run.ok / (run.elapsedMs / 1000));
  const storedRate = Math.round(run.ok / (storedMs / 1000));
  const latency = summarize(run.latenciesMs);
  ctx.say(`logs: ${run.ok} lines answered 201 (${run.failed} other) = ${rate}/s, readable by cursor at ${storedRate}/s; latency p50 ${latency.p50} p99 ${latency.p99} ms`);

  const read = await follow(ctx, null);
  const readRate = Math.round(read.records / (read.ms / 1000));
  ctx.say(`logs: one cursor reader, ${PAGE} per page: ${read.records} records in ${Math.round(read.ms)} ms = ${readRate} records/s`);
  return [
    result(ctx.system.name, 'logs-ingest', { rate_per_s: rate, stored_rate_per_s: storedRate, ...percentiles(latency), ok: run.ok, failed: run.failed }),
    result(ctx.system.name, 'logs-read', { rate_per_s: readRate, records: read.records, page: PAGE }),
  ];
}
