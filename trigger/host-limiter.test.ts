import { jest } from '@jest/globals';
import { HostLimiter, type HostLimits, type Release } from './host-limiter.js';

afterEach(() => jest.useRealTimers());

const limiter = (limits: Partial<HostLimits>) => new HostLimiter({ concurrency: 1, ratePerSecond: 0, maxWaiting: 1, stallMs: 1_000, ...limits }, () => Date.now());

/** Collects what each slot resolves to, in the order they were asked for. */
function track(slots: Array<Promise<Release | null>>) {
  const outcomes: Array<'granted' | 'deferred' | 'waiting'> = slots.map(() => 'waiting');
  slots.forEach((slot, i) => void slot.then((release) => (outcomes[i] = release ? 'granted' : 'deferred')));
  return outcomes;
}

test('at most `concurrency` in flight per host; the next waits for a release', async () => {
  const hosts = limiter({ concurrency: 2, maxWaiting: 10 });
  const first = (await hosts.acquire('slow.example'))!;
  await hosts.acquire('slow.example');
  let third: Release | null | undefined;
  void hosts.acquire('slow.example').then((release) => (third = release));
  await Promise.resolve();
  expect(third).toBeUndefined();
  expect(hosts.load('slow.example')).toEqual({ active: 2, waiting: 1 });
  first();
  await new Promise(setImmediate);
  expect(third).toBeInstanceOf(Function);
});

test('one host at its limit does not hold back another', async () => {
  const hosts = limiter({});
  await hosts.acquire('slow.example');
  await expect(hosts.acquire('fast.example')).resolves.toBeInstanceOf(Function);
});

test('a busy host that keeps answering may have more than maxWaiting waiting: none is deferred', async () => {
  jest.useFakeTimers({ now: 0 });
  const hosts = limiter({ concurrency: 2, maxWaiting: 1 });
  const inFlight: Release[] = [];
  const slots = Array.from({ length: 10 }, () =>
    hosts.acquire('busy.example').then((release) => {
      if (release) inFlight.push(release);
      return release;
    }),
  );
  const outcomes = track(slots);
  // One request answers every 400 ms, less than the stall time: the host is busy, not stalled.
  while (outcomes.includes('waiting') || inFlight.length > 0) {
    await jest.advanceTimersByTimeAsync(400);
    inFlight.shift()?.();
  }
  expect(outcomes).toEqual(Array(10).fill('granted'));
});

test('a stalled host keeps maxWaiting waiting and defers the newest beyond, then every newcomer', async () => {
  jest.useFakeTimers({ now: 0 });
  const hosts = limiter({ concurrency: 2, maxWaiting: 2 });
  const outcomes = track(Array.from({ length: 7 }, () => hosts.acquire('hanging.example')));
  await jest.advanceTimersByTimeAsync(999);
  expect(outcomes).toEqual(['granted', 'granted', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
  await jest.advanceTimersByTimeAsync(1);
  expect(outcomes).toEqual(['granted', 'granted', 'waiting', 'waiting', 'deferred', 'deferred', 'deferred']);
  await expect(hosts.acquire('hanging.example')).resolves.toBeNull();
  expect(hosts.load('hanging.example')).toEqual({ active: 2, waiting: 2 });
});

test('an answer restarts the stall clock', async () => {
  jest.useFakeTimers({ now: 0 });
  const hosts = limiter({ concurrency: 1, maxWaiting: 0 });
  const first = hosts.acquire('slow.example');
  const outcomes = track([first, hosts.acquire('slow.example'), hosts.acquire('slow.example')]);
  await jest.advanceTimersByTimeAsync(800);
  (await first)!();
  await jest.advanceTimersByTimeAsync(800);
  // 1.6 s after the start, but only 0.8 s after the last answer: nobody deferred yet.
  expect(outcomes).toEqual(['granted', 'granted', 'waiting']);
  await jest.advanceTimersByTimeAsync(200);
  expect(outcomes).toEqual(['granted', 'granted', 'deferred']);
});

test('releasing twice frees one slot only', async () => {
  const hosts = limiter({ maxWaiting: 5 });
  const release = (await hosts.acquire('a'))!;
  const waiting = [hosts.acquire('a'), hosts.acquire('a')];
  release();
  release();
  await new Promise(setImmediate);
  expect(hosts.load('a')).toEqual({ active: 1, waiting: 1 });
  void waiting;
});

test('a rate limit spaces the starts: the bucket holds one second of tokens', async () => {
  jest.useFakeTimers({ now: 0 });
  const hosts = limiter({ concurrency: 100, ratePerSecond: 2, maxWaiting: 10 });
  const started: number[] = [];
  for (let i = 0; i < 4; i++) void hosts.acquire('rated.example').then(() => started.push(Date.now()));
  await jest.advanceTimersByTimeAsync(0);
  expect(started).toEqual([0, 0]);
  await jest.advanceTimersByTimeAsync(500);
  expect(started).toEqual([0, 0, 500]);
  await jest.advanceTimersByTimeAsync(500);
  expect(started).toEqual([0, 0, 500, 1000]);
});

test('a host held back by its rate limit has at most maxWaiting waiting: further ones are deferred at once', async () => {
  jest.useFakeTimers({ now: 0 });
  const hosts = limiter({ concurrency: 100, ratePerSecond: 1, maxWaiting: 2 });
  const outcomes = track(Array.from({ length: 5 }, () => hosts.acquire('rated.example')));
  await jest.advanceTimersByTimeAsync(0);
  expect(outcomes).toEqual(['granted', 'waiting', 'waiting', 'deferred', 'deferred']);
});

test('a request leaving on a slot taken earlier restarts the stall clock: slots held by timers not yet sent are no stall', async () => {
  jest.useFakeTimers({ now: 0 });
  const hosts = limiter({ concurrency: 1, maxWaiting: 0 });
  const outcomes = track([hosts.acquire('busy.example'), hosts.acquire('busy.example'), hosts.acquire('busy.example')]);
  // The slot's timer waits 900 ms for its claim and its instant, then its request leaves.
  await jest.advanceTimersByTimeAsync(900);
  hosts.started('busy.example');
  await jest.advanceTimersByTimeAsync(900);
  // 1.8 s after the slot was taken, but 0.9 s after the request left: nobody deferred yet.
  expect(outcomes).toEqual(['granted', 'waiting', 'waiting']);
  await jest.advanceTimersByTimeAsync(100);
  expect(outcomes).toEqual(['granted', 'deferred', 'deferred']);
});

test('a larger share lets waiting timers go at once; a smaller one keeps the slots already taken', async () => {
  const hosts = limiter({ concurrency: 1, maxWaiting: 10 });
  await hosts.acquire('busy.example');
  let second: Release | null | undefined;
  void hosts.acquire('busy.example').then((release) => (second = release));
  await Promise.resolve();
  expect(second).toBeUndefined();
  hosts.setLimits({ concurrency: 2, ratePerSecond: 0 });
  await new Promise(setImmediate);
  expect(second).toBeInstanceOf(Function);
  hosts.setLimits({ concurrency: 1, ratePerSecond: 0 });
  expect(hosts.load('busy.example')).toEqual({ active: 2, waiting: 0 });
});
