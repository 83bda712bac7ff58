import { describe, expect, it } from '@jest/globals';
import { MAX_BACKOFF_MS, retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('doubles per attempt, between half and all of the ceiling', () => {
    expect(retryDelayMs(1, 1_000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1_000, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, 1_000, () => 1)).toBe(4_000);
    expect(retryDelayMs(3, 1_000, () => 0.5)).toBe(3_000);
  });
  it('never exceeds the cap', () => {
    expect(retryDelayMs(60, 1_000, () => 1)).toBe(MAX_BACKOFF_MS);
  });
});
