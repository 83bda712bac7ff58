import { delaySeconds, fireAtFor, MAX_DELAY_SECONDS, timeLeftSeconds } from './time.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('delaySeconds', () => {
  test('adds hours, minutes and seconds into seconds', () => {
    expect(delaySeconds({ hours: 0, minutes: 0, seconds: 0 })).toBe(0);
    expect(delaySeconds({ hours: 1, minutes: 0, seconds: 0 })).toBe(60 * 60);
    expect(delaySeconds({ hours: 0, minutes: 1, seconds: 0 })).toBe(60);
    expect(delaySeconds({ hours: 2, minutes: 3, seconds: 4 })).toBe(2 * 60 * 60 + 3 * 60 + 4);
  });

  test('seconds and minutes beyond 60 are not wrapped', () => {
    expect(delaySeconds({ hours: 0, minutes: 90, seconds: 90 })).toBe(90 * 60 + 90);
  });

  test('the largest delay is 365 days', () => {
    expect(MAX_DELAY_SECONDS).toBe(delaySeconds({ hours: 365 * 24, minutes: 0, seconds: 0 }));
  });
});

describe('fireAtFor', () => {
  test('is now plus the delay, in epoch milliseconds', () => {
    expect(fireAtFor({ hours: 0, minutes: 0, seconds: 0 }, NOW)).toBe(NOW);
    expect(fireAtFor({ hours: 0, minutes: 0, seconds: 1 }, NOW)).toBe(NOW + 1_000);
    expect(new Date(fireAtFor({ hours: 25, minutes: 1, seconds: 1 }, NOW)).toISOString()).toBe('2030-01-02T13:01:01.000Z');
  });

  test('keeps the millisecond part of now', () => {
    expect(fireAtFor({ hours: 0, minutes: 0, seconds: 2 }, NOW + 123)).toBe(NOW + 2_123);
  });
});

describe('timeLeftSeconds', () => {
  test('whole seconds left are shown as they are', () => {
    expect(timeLeftSeconds(NOW + 5_000, NOW)).toBe(5);
  });

  test('a part of a second left rounds up', () => {
    expect(timeLeftSeconds(NOW + 4_001, NOW)).toBe(5);
    expect(timeLeftSeconds(NOW + 4_999, NOW)).toBe(5);
  });

  test('a timer 1 ms from due still shows 1', () => {
    expect(timeLeftSeconds(NOW + 1, NOW)).toBe(1);
  });

  test('a timer shows 0 at its due instant and after, never a negative number', () => {
    expect(timeLeftSeconds(NOW, NOW)).toBe(0);
    // toBe uses Object.is, so this also rules out -0 (which would serialise oddly in some clients).
    expect(timeLeftSeconds(NOW - 1, NOW)).toBe(0);
    expect(timeLeftSeconds(NOW - 500, NOW)).toBe(0);
    expect(timeLeftSeconds(NOW - 86_400_000, NOW)).toBe(0);
  });

  test('counts down to 0 exactly when the timer becomes due', () => {
    const fireAt = fireAtFor({ hours: 0, minutes: 0, seconds: 3 }, NOW);
    const shown = [0, 999, 1_000, 1_001, 2_999, 3_000].map((elapsed) => timeLeftSeconds(fireAt, NOW + elapsed));
    expect(shown).toEqual([3, 3, 2, 2, 1, 0]);
  });
});
