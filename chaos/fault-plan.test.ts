import { faultPlan, KILLED_KINDS } from './fault-plan.js';

// A fixed sequence instead of Math.random, so that the plan is the same every run.
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test('one broker restart at a third, one database restart at two thirds', () => {
  const plan = faultPlan(30_000, 3_000, 2, seeded(1));
  expect(plan.filter((f) => f.action === 'restart-broker')).toEqual([{ atMs: 10_000, action: 'restart-broker' }]);
  expect(plan.filter((f) => f.action === 'restart-database')).toEqual([{ atMs: 20_000, action: 'restart-database' }]);
});

test('kills every interval, every kind once in each round of four, replicas within range', () => {
  const kills = faultPlan(40_000, 2_000, 3, seeded(7)).flatMap((f) => (f.action === 'kill' ? [f] : []));
  expect(kills.map((k) => k.atMs)).toEqual(Array.from({ length: 19 }, (_, i) => (i + 1) * 2_000));
  for (let round = 0; round + 4 <= kills.length; round += 4) {
    expect(new Set(kills.slice(round, round + 4).map((k) => k.kind))).toEqual(new Set(KILLED_KINDS));
  }
  expect(kills.every((k) => k.replica >= 0 && k.replica < 3)).toBe(true);
});

test('sorted by time', () => {
  const plan = faultPlan(25_000, 1_000, 2, seeded(3));
  expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
});
