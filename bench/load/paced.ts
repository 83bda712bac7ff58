// An open-loop load at a fixed rate: request i is sent at start + i * 1000 / rate, whatever the answers
// do, so that timers created with one constant delay fall due evenly spread.
import { performance } from 'node:perf_hooks';

export interface PacedResult {
  ok: number;
  failed: number;
  /** how far behind its planned instant each send went out (the pacer's own lateness) */
  sendLagMs: number[];
  elapsedMs: number;
  firstError: string | null;
}

export async function paced(opts: { rate: number; count: number; op: (i: number) => Promise<boolean> }): Promise<PacedResult> {
  const result: PacedResult = { ok: 0, failed: 0, sendLagMs: [], elapsedMs: 0, firstError: null };
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < opts.count && start + (next * 1000) / opts.rate <= now) {
        result.sendLagMs.push(now - (start + (next * 1000) / opts.rate));
        const i = next++;
        pending.push(
          opts.op(i).then(
            (ok) => void (ok ? result.ok++ : result.failed++),
            (err: Error) => {
              result.failed++;
              result.firstError ??= err.message;
            },
          ),
        );
      }
      if (next >= opts.count) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  result.elapsedMs = performance.now() - start;
  return result;
}
