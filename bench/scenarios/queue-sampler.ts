// Samples a system's internal queue depths while timers fire (timer service: incoming_timers and
// timers_to_fire ready messages), to see which stage a backlog waits in. Messages a consumer holds
// unacked (up to its prefetch) are not counted as ready.
import type { SystemUnderTest } from '../systems/system.js';

export function sampleQueues(system: SystemUnderTest, everyMs = 250): () => Promise<Record<string, number> | null> {
  if (!system.queueDepths) return async () => null;
  const max: Record<string, number> = {};
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        for (const [queue, depth] of Object.entries(await system.queueDepths!())) max[queue] = Math.max(max[queue] ?? 0, depth);
      } catch {
        // a failed sample is skipped
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return max;
  };
}
