// Unit: a trigger's share of the deployment's per-host limits.
import { shareOf } from './host-shares.js';

test('each of N triggers takes one N-th of the concurrency and the rate', () => {
  expect(shareOf({ concurrency: 256, ratePerSecond: 100 }, 4)).toEqual({ concurrency: 64, ratePerSecond: 25 });
});

test('together the triggers never exceed the configured concurrency, yet each keeps at least one webhook in flight', () => {
  expect(shareOf({ concurrency: 10, ratePerSecond: 0 }, 3)).toEqual({ concurrency: 3, ratePerSecond: 0 });
  expect(shareOf({ concurrency: 2, ratePerSecond: 0 }, 5)).toEqual({ concurrency: 1, ratePerSecond: 0 });
});

test('no trigger counted alive (the first look, or an outage) is counted as one', () => {
  expect(shareOf({ concurrency: 8, ratePerSecond: 10 }, 0)).toEqual({ concurrency: 8, ratePerSecond: 10 });
});
