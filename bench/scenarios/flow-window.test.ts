import { achievedRate, maxInWindow } from './flow-window.js';

describe('the flow scenario window figures', () => {
  const evenly = (n: number, spacingMs: number, from = 0) => Array.from({ length: n }, (_, i) => from + i * spacingMs);

  it('gives the limit itself for arrivals evenly spaced at the limit', () => {
    expect(achievedRate(evenly(101, 20))).toBe(50);
    // order does not matter
    expect(achievedRate([...evenly(11, 100)].reverse())).toBe(10);
  });

  it('has no rate below two arrivals or over no time', () => {
    expect(achievedRate([])).toBeNull();
    expect(achievedRate([5])).toBeNull();
    expect(achievedRate([5, 5, 5])).toBeNull();
  });

  it('counts at most the limit in any second when arrivals are evenly spaced', () => {
    // 20 ms apart: 50 fall within any half-open second, the 51st is exactly 1,000 ms after the first
    expect(maxInWindow(evenly(500, 20), 1_000)).toBe(50);
    expect(maxInWindow([], 1_000)).toBe(0);
    expect(maxInWindow([7], 1_000)).toBe(1);
  });

  it('counts a burst that straddles two seconds of the clock whole', () => {
    // 50 at the end of one second and 50 at the start of the next: a fixed window per second of the
    // clock sees 50 each, a sliding one sees all 100 within 200 ms
    const burst = [...evenly(50, 2, 900), ...evenly(50, 2, 1_000)];
    expect(maxInWindow(burst, 1_000)).toBe(100);
    // unsorted input is sorted first
    expect(maxInWindow([...burst].reverse(), 1_000)).toBe(100);
  });

  it('keeps the window half-open', () => {
    expect(maxInWindow([0, 999], 1_000)).toBe(2);
    expect(maxInWindow([0, 1_000], 1_000)).toBe(1);
  });
});
