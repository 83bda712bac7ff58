// A closed-loop load: `concurrency` clients, each sending its next request as soon as the previous one
// is answered, until a deadline or a request count. Records every request's latency.
import { performance } from 'node:perf_hooks';

export interface ClosedLoopResult {
  ok: number;
  failed: number;
  latenciesMs: number[];
  elapsedMs: number;
  firstError: string | null;
}

export async function closedLoop(opts: { concurrency: number; durationMs?: number; count?: number; op: (i: number) => Promise<boolean> }): Promise<ClosedLoopResult> {
  const start = performance.now();
  const deadline = opts.durationMs === undefined ? Infinity : start + opts.durationMs;
  const count = opts.count ?? Infinity;
  const result: ClosedLoopResult = { ok: 0, failed: 0, latenciesMs: [], elapsedMs: 0, firstError: null };
  let next = 0;
  const client = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await opts.op(i);
      } catch (err) {
        result.firstError ??= (err as Error).message;
      }
      result.latenciesMs.push(performance.now() - t0);
      if (ok) result.ok++;
      else result.failed++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  result.elapsedMs = performance.now() - start;
  return result;
}
