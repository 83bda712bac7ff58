import { jest } from '@jest/globals';
import { HostLimiter, type Release } from './host-limiter.js';

afterEach(() => jest.useRealTimers());

test('at most `concurrency` in flight per host; the next waits for a release', async () => {
  const limiter = new HostLimiter({ concurrency: 2, ratePerSecond: 0, maxWaiting: 10 });
  const first = await limiter.acquire('slow.example')!;
  await limiter.acquire('slow.example')!;
  let third: Release | undefined;
  void limiter.acquire('slow.example')!.then((release) => (third = release));
  await Promise.resolve();
  expect(third).toBeUndefined();
  expect(limiter.load('slow.example')).toEqual({ active: 2, waiting: 1 });
  first();
  await new Promise(setImmediate);
  expect(third).toBeInstanceOf(Function);
});

test('one host at its limit does not hold back another', async () => {
  const limiter = new HostLimiter({ concurrency: 1, ratePerSecond: 0, maxWaiting: 1 });
  await limiter.acquire('slow.example')!;
  const fast = limiter.acquire('fast.example');
  expect(fast).not.toBeNull();
  await expect(fast).resolves.toBeInstanceOf(Function);
});

test('beyond maxWaiting the caller is told to defer', async () => {
  const limiter = new HostLimiter({ concurrency: 1, ratePerSecond: 0, maxWaiting: 2 });
  await limiter.acquire('slow.example')!;
  expect(limiter.acquire('slow.example')).not.toBeNull();
  expect(limiter.acquire('slow.example')).not.toBeNull();
  expect(limiter.acquire('slow.example')).toBeNull();
});

test('releasing twice frees one slot only', async () => {
  const limiter = new HostLimiter({ concurrency: 1, ratePerSecond: 0, maxWaiting: 5 });
  const release = await limiter.acquire('a')!;
  const waiting = [limiter.acquire('a')!, limiter.acquire('a')!];
  release();
  release();
  await new Promise(setImmediate);
  expect(limiter.load('a')).toEqual({ active: 1, waiting: 1 });
  void waiting;
});

test('a rate limit spaces the starts: the bucket holds one second of tokens', async () => {
  jest.useFakeTimers({ now: 0 });
  const limiter = new HostLimiter({ concurrency: 100, ratePerSecond: 2, maxWaiting: 10 }, () => Date.now());
  const started: number[] = [];
  for (let i = 0; i < 4; i++) void limiter.acquire('rated.example')!.then(() => started.push(Date.now()));
  await jest.advanceTimersByTimeAsync(0);
  expect(started).toEqual([0, 0]);
  await jest.advanceTimersByTimeAsync(500);
  expect(started).toEqual([0, 0, 500]);
  await jest.advanceTimersByTimeAsync(500);
  expect(started).toEqual([0, 0, 500, 1000]);
});
