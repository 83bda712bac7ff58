// The pause before retrying a failed task: base * 2^(attempt - 1), capped, with "equal jitter" (half
// fixed, half random) so that tasks failing together do not all come back at the same instant.
export const MAX_BACKOFF_MS = 3_600_000;

export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
