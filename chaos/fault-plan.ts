// What the chaos run breaks and when: kill -9 of a random replica of every process kind in turn (the
// launcher restarts it), and one restart each of RabbitMQ and PostgreSQL. Pure: the randomness is passed in.
export const KILLED_KINDS = ['webserver', 'consumer', 'timer', 'trigger'] as const;
export type KilledKind = (typeof KILLED_KINDS)[number];

export type Fault = { atMs: number } & ({ action: 'kill'; kind: KilledKind; replica: number } | { action: 'restart-broker' } | { action: 'restart-database' });

/**
 * faultPlan(durationMs, killEveryMs, replicas, random): kills from killEveryMs on, every killEveryMs,
 * each round of four covering every kind in a shuffled order; the broker restarts at a third of the
 * run and the database at two thirds. Sorted by time.
 */
export function faultPlan(durationMs: number, killEveryMs: number, replicas: number, random: () => number): Fault[] {
  const faults: Fault[] = [
    { atMs: Math.round(durationMs / 3), action: 'restart-broker' },
    { atMs: Math.round((2 * durationMs) / 3), action: 'restart-database' },
  ];
  let round: KilledKind[] = [];
  for (let at = killEveryMs; at < durationMs; at += killEveryMs) {
    if (round.length === 0) round = shuffle([...KILLED_KINDS], random);
    faults.push({ atMs: at, action: 'kill', kind: round.pop()!, replica: Math.floor(random() * replicas) });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
