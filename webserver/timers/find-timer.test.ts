import { jest } from '@jest/globals';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { Pool } from '../../common/db/pool.js';
import { findTimerWaiting } from './find-timer.js';
import { findTimer, type TimerRow } from '../../common/store/timers.js';
import { timerRow } from '../../test/helpers/timer-row.js';

const START = Date.UTC(2030, 0, 1, 12, 0, 0);

const rowFor = (id: string): TimerRow => timerRow({ id, fire_at: new Date(START + 60_000), created_at: new Date(START) });

/**
 * A stand-in for the pg pool: every query is recorded with the fake clock's time, and the row "appears"
 * in the database from the query number `appearsOnQuery` on (never when it is Infinity).
 */
function fakePool(id: string, appearsOnQuery: number) {
  const queries: Array<{ at: number; params: unknown[] }> = [];
  const pool = {
    query: async (_sql: string, params: unknown[]) => {
      queries.push({ at: Date.now(), params });
      return { rows: queries.length >= appearsOnQuery ? [rowFor(id)] : [] };
    },
  } as unknown as Pool;
  return { pool, queries };
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined, at: NaN };
  void promise.then((value) => Object.assign(state, { settled: true, value, at: Date.now() }));
  return state;
}

const now = () => Date.now();
const NEVER = Infinity;

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('findTimer', () => {
  test('asks for the id as a query parameter and returns the row, or null when there is none', async () => {
    const id = uuidv4();
    const found = fakePool(id, 1);
    await expect(findTimer(found.pool, id)).resolves.toEqual(rowFor(id));
    expect(found.queries[0]!.params).toEqual([id]);
    await expect(findTimer(fakePool(id, NEVER).pool, id)).resolves.toBeNull();
  });
});

describe('findTimerWaiting', () => {
  test('a timer that is there is returned after a single query', async () => {
    const id = uuidv7({ msecs: START - 10 });
    const { pool, queries } = fakePool(id, 1);
    await expect(findTimerWaiting(pool, id, 5_000, now)).resolves.toEqual(rowFor(id));
    expect(queries).toHaveLength(1);
  });

  test.each([
    ['a UUIDv4 id (carries no issue time)', () => uuidv4()],
    ['a UUIDv7 id issued two minutes ago', () => uuidv7({ msecs: START - 120_000 })],
    ['a UUIDv7 id issued a day ago', () => uuidv7({ msecs: START - 86_400_000 })],
    ['a UUIDv7 id claiming to be issued an hour from now', () => uuidv7({ msecs: START + 3_600_000 })],
  ])('a miss on %s is null at once, after a single query', async (_what, makeId) => {
    const id = makeId();
    const { pool, queries } = fakePool(id, NEVER);
    const result = track(findTimerWaiting(pool, id, 5_000, now));
    await jest.advanceTimersByTimeAsync(0);
    expect(result).toMatchObject({ settled: true, value: null, at: START });
    expect(queries).toHaveLength(1);
    // and it never queries again later
    await jest.advanceTimersByTimeAsync(10_000);
    expect(queries).toHaveLength(1);
  });

  test('a miss on a just-issued UUIDv7 id is retried until the row appears, and the row is returned', async () => {
    const id = uuidv7({ msecs: START - 3 });
    const { pool, queries } = fakePool(id, 4);
    const result = track(findTimerWaiting(pool, id, 5_000, now));
    await jest.advanceTimersByTimeAsync(0);
    expect(result.settled).toBe(false);
    expect(queries).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(result).toMatchObject({ settled: true, value: rowFor(id) });
    expect(queries).toHaveLength(4);
    for (const query of queries) expect(query.params).toEqual([id]);
  });

  test('a UUIDv7 issued a few seconds ago (a GET shortly after the POST) is still waited for', async () => {
    const id = uuidv7({ msecs: START - 5_000 });
    const { pool, queries } = fakePool(id, 2);
    const result = track(findTimerWaiting(pool, id, 5_000, now));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(result).toMatchObject({ settled: true, value: rowFor(id) });
    expect(queries).toHaveLength(2);
  });

  test('retries back off: the gaps between queries grow and are never more than a fraction of a second', async () => {
    const id = uuidv7({ msecs: START });
    const { pool, queries } = fakePool(id, NEVER);
    const result = track(findTimerWaiting(pool, id, 5_000, now));
    await jest.advanceTimersByTimeAsync(6_000);
    expect(result.settled).toBe(true);
    const gaps = queries.slice(1).map((query, i) => query.at - queries[i]!.at);
    expect(gaps.length).toBeGreaterThan(5);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(gaps[0]!).toBeLessThan(gaps[gaps.length - 1]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1_000);
  });

  test('a just-issued id that never appears gives up with null within waitMs, not before half of it', async () => {
    const waitMs = 1_000;
    const id = uuidv7({ msecs: START });
    const { pool, queries } = fakePool(id, NEVER);
    const result = track(findTimerWaiting(pool, id, waitMs, now));
    await jest.advanceTimersByTimeAsync(waitMs / 2);
    expect(result.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(waitMs / 2);
    expect(result.settled).toBe(true);
    expect(result.value).toBeNull();
    expect(result.at).toBeLessThanOrEqual(START + waitMs);
    expect(queries.length).toBeGreaterThan(2);
    for (const query of queries) expect(query.at).toBeLessThanOrEqual(START + waitMs);
    const count = queries.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(queries).toHaveLength(count);
  });

  test('with waitMs 0 (read-your-writes off) a just-issued id gets a single query', async () => {
    const id = uuidv7({ msecs: START });
    const { pool, queries } = fakePool(id, NEVER);
    const result = track(findTimerWaiting(pool, id, 0, now));
    await jest.advanceTimersByTimeAsync(0);
    expect(result).toMatchObject({ settled: true, value: null });
    expect(queries).toHaveLength(1);
  });

  test('a database error is passed on, not taken for a miss', async () => {
    const id = uuidv7({ msecs: START });
    const pool = { query: async () => Promise.reject(new Error('connection refused')) } as unknown as Pool;
    await expect(findTimerWaiting(pool, id, 5_000, now)).rejects.toThrow('connection refused');
  });
});
