import { shardOf } from './shard.js';
import { newTimerId } from '../messages/timer-id.js';

describe('shardOf', () => {
  const ids = Array.from({ length: 20_000 }, () => newTimerId());

  test('a timer id always maps to the same shard', () => {
    for (const id of ids.slice(0, 100)) {
      expect(shardOf(id, 4)).toBe(shardOf(id, 4));
      expect(shardOf(id.toUpperCase(), 4)).toBe(shardOf(id, 4));
    }
  });

  test('known ids map to the shards they always have, so the mapping cannot drift between releases', () => {
    const shardsFor = (id: string) => [2, 3, 4, 8, 16].map((n) => shardOf(id, n));
    expect(shardsFor('01a20799-d442-7164-b84b-d016cb0daa84')).toEqual([1, 2, 2, 5, 5]);
    expect(shardsFor('00000000-0000-7000-8000-000000000000')).toEqual([0, 2, 2, 4, 12]);
    expect(shardsFor('be18064e-d265-4cb5-9716-34f249029a79')).toEqual([1, 1, 1, 1, 12]);
    expect(shardOf('be18064e-d265-4cb5-9716-34f249029a79', 1)).toBe(0);
  });

  test('ids spread evenly over the shards, time-ordered UUIDv7 ids included', () => {
    const counts = new Array(4).fill(0);
    for (const id of ids) counts[shardOf(id, 4)]++;
    for (const count of counts) expect(Math.abs(count - ids.length / 4)).toBeLessThan(ids.length * 0.03);
  });

  test('adding a shard moves only the ids that go to the new shard', () => {
    let moved = 0;
    for (const id of ids) {
      const before = shardOf(id, 4);
      const after = shardOf(id, 5);
      if (after !== before) {
        expect(after).toBe(4);
        moved++;
      }
    }
    expect(moved / ids.length).toBeGreaterThan(0.15);
    expect(moved / ids.length).toBeLessThan(0.25);
  });

  test('a shard count that is not a positive whole number is refused', () => {
    expect(() => shardOf(ids[0]!, 0)).toThrow(RangeError);
    expect(() => shardOf(ids[0]!, 1.5)).toThrow(RangeError);
  });
});
