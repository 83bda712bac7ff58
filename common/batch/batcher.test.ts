import { jest } from '@jest/globals';
import { Batcher } from './batcher.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One event-loop turn: pending promise callbacks and setImmediate callbacks queued before it run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Lets the batcher run until nothing more happens on its own (a few event-loop turns, no wall-clock wait). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await turn();
}

/** A handler whose every call is recorded and finishes only when the test says so. */
function controlledHandler<T, R>() {
  const calls: Array<{ items: T[]; done: Deferred<R[]> }> = [];
  const handler = (items: T[]) => {
    const done = deferred<R[]>();
    calls.push({ items: [...items], done });
    return done.promise;
  };
  return { calls, handler };
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('Batcher', () => {
  test('a lone item is handled at once, in a batch of 1, and gets its own result', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, string>(async (items) => {
      batches.push(items);
      return items.map((n) => `result ${n}`);
    }, 100);
    await expect(batcher.add(7)).resolves.toBe('result 7');
    expect(batches).toEqual([[7]]);
  });

  test('items added in the same tick while idle go together in one batch', async () => {
    const { calls, handler } = controlledHandler<string, void>();
    const batcher = new Batcher(handler, 100);
    const results = ['a', 'b', 'c'].map((item) => batcher.add(item));
    await settle();
    expect(calls.map((call) => call.items)).toEqual([['a', 'b', 'c']]);
    calls[0]!.done.resolve([undefined, undefined, undefined]);
    await Promise.all(results);
  });

  test('items added while a batch is in flight wait, then go together in the next batch', async () => {
    const { calls, handler } = controlledHandler<string, void>();
    const batcher = new Batcher(handler, 100);
    const first = track(batcher.add('first'));
    await settle();
    expect(calls).toHaveLength(1);

    const later = ['b', 'c', 'd'].map((item) => track(batcher.add(item)));
    await settle();
    expect(calls).toHaveLength(1); // nothing starts while the one allowed batch is in flight
    expect(batcher.size).toBe(3);
    expect(later.some((state) => state.settled)).toBe(false);

    calls[0]!.done.resolve([undefined]);
    await settle();
    expect(first.settled).toBe(true);
    expect(calls.map((call) => call.items)).toEqual([['first'], ['b', 'c', 'd']]);
    expect(later.some((state) => state.settled)).toBe(false);

    calls[1]!.done.resolve([undefined, undefined, undefined]);
    await settle();
    expect(later.every((state) => state.settled && state.error === undefined)).toBe(true);
  });

  test('a batch never holds more than maxSize items; the rest go in the following batches', async () => {
    const { calls, handler } = controlledHandler<number, number>();
    const batcher = new Batcher(handler, 2);
    const results = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(calls).toHaveLength(i + 1);
      const call = calls[i]!;
      call.done.resolve(call.items.map((n) => n * 10));
    }
    expect(calls.map((call) => call.items)).toEqual([[1, 2], [3, 4], [5]]);
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  test('no more than maxConcurrent batches are in flight at once', async () => {
    const { calls, handler } = controlledHandler<number, void>();
    const batcher = new Batcher(handler, 1, 2);
    const results = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    await settle();
    expect(calls.map((call) => call.items)).toEqual([[1], [2]]);

    calls[1]!.done.resolve([undefined]);
    await settle();
    expect(calls.map((call) => call.items)).toEqual([[1], [2], [3]]);

    calls[0]!.done.resolve([undefined]);
    calls[2]!.done.resolve([undefined]);
    await settle();
    expect(calls.map((call) => call.items)).toEqual([[1], [2], [3], [4], [5]]);

    calls[3]!.done.resolve([undefined]);
    calls[4]!.done.resolve([undefined]);
    await Promise.all(results);
  });

  test('a rejected batch rejects every item of it with the error, and later batches still run', async () => {
    const { calls, handler } = controlledHandler<string, string>();
    const batcher = new Batcher(handler, 2);
    const failed = [batcher.add('a'), batcher.add('b')];
    const next = batcher.add('c');
    await settle();
    const error = new Error('database unavailable');
    calls[0]!.done.reject(error);
    for (const result of failed) await expect(result).rejects.toBe(error);

    await settle();
    expect(calls.map((call) => call.items)).toEqual([['a', 'b'], ['c']]);
    calls[1]!.done.resolve(['ok c']);
    await expect(next).resolves.toBe('ok c');
  });

  test('each caller gets the result at its own position in the batch', async () => {
    const batcher = new Batcher<string, string>(async (items) => items.map((item) => item.toUpperCase()), 3);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];
    await expect(Promise.all(words.map((word) => batcher.add(word)))).resolves.toEqual(words.map((word) => word.toUpperCase()));
  });

  test('idle() resolves at once when nothing was ever added', async () => {
    const batcher = new Batcher<number>(async () => [], 10);
    const idle = track(batcher.idle());
    await turn();
    expect(idle.settled).toBe(true);
  });

  test('idle() resolves only once nothing is queued or being handled', async () => {
    const { calls, handler } = controlledHandler<number, void>();
    const batcher = new Batcher(handler, 1);
    const results = [batcher.add(1), batcher.add(2)];
    const idle = track(batcher.idle()); // called while items are only queued
    await settle();
    expect(idle.settled).toBe(false);

    calls[0]!.done.resolve([undefined]);
    await settle();
    expect(calls).toHaveLength(2);
    expect(idle.settled).toBe(false); // item 2 is still being handled

    calls[1]!.done.resolve([undefined]);
    await settle();
    expect(idle.settled).toBe(true);
    await Promise.all(results);
  });

  test('idle() waits for every concurrent batch, and resolves after a failed last batch too', async () => {
    const { calls, handler } = controlledHandler<number, void>();
    const batcher = new Batcher(handler, 1, 2);
    const results = [batcher.add(1), batcher.add(2)].map((promise) => promise.catch((err: unknown) => err));
    await settle();
    const idle = track(batcher.idle());
    calls[0]!.done.resolve([undefined]);
    await settle();
    expect(idle.settled).toBe(false);
    calls[1]!.done.reject(new Error('boom'));
    await settle();
    expect(idle.settled).toBe(true);
    await Promise.all(results);
  });

  describe('with a linger time', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    test('items trickling in while idle wait up to lingerMs and go together in one batch', async () => {
      const batches: string[][] = [];
      const batcher = new Batcher<string>(
        async (items) => {
          batches.push(items);
          return items.map(() => undefined);
        },
        100,
        1,
        50,
      );
      const results = [batcher.add('a')];
      await jest.advanceTimersByTimeAsync(20);
      results.push(batcher.add('b'));
      await jest.advanceTimersByTimeAsync(20);
      results.push(batcher.add('c'));
      await jest.advanceTimersByTimeAsync(9);
      expect(batches).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(batches).toEqual([['a', 'b', 'c']]);
      await Promise.all(results);
    });

    test('a batch that fills up goes at once, without waiting for the linger time', async () => {
      const batches: number[][] = [];
      const batcher = new Batcher<number>(
        async (items) => {
          batches.push(items);
          return items.map(() => undefined);
        },
        3,
        1,
        1_000,
      );
      const results = [1, 2].map((n) => batcher.add(n));
      await jest.advanceTimersByTimeAsync(10);
      expect(batches).toEqual([]);
      results.push(batcher.add(3));
      await jest.advanceTimersByTimeAsync(0);
      expect(batches).toEqual([[1, 2, 3]]);
      await Promise.all(results);
    });

    test('idle() waits for items still lingering', async () => {
      const batcher = new Batcher<number>(async (items) => items.map(() => undefined), 10, 1, 100);
      void batcher.add(1);
      const idle = track(batcher.idle());
      await jest.advanceTimersByTimeAsync(99);
      expect(idle.settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(idle.settled).toBe(true);
    });
  });
});
