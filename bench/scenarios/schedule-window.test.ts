import { firstInstant, instantsIn, measuredWindow } from './schedule-window.js';

describe('the schedules scenario time maths', () => {
  it('spreads the first instants evenly over one period', () => {
    const firsts = Array.from({ length: 4 }, (_, i) => firstInstant(1_000, i, 4, 10_000));
    expect(firsts).toEqual([1_000, 3_500, 6_000, 8_500]);
    expect(firstInstant(0, 9_999, 10_000, 10_000)).toBe(9_999);
  });

  it('starts the window on the first grid instant at or after the given time', () => {
    expect(measuredWindow({ originMs: 1_000, periodMs: 10_000 }, 13_000, 30)).toEqual({ start: 21_000, end: 51_000 });
    expect(measuredWindow({ originMs: 1_000, periodMs: 10_000 }, 11_000, 30)).toEqual({ start: 11_000, end: 41_000 });
    // notBefore earlier than the origin: the origin itself
    expect(measuredWindow({ originMs: 5_000, periodMs: 10_000 }, 0, 10)).toEqual({ start: 5_000, end: 15_000 });
    // cron minutes: boundaries of the epoch
    expect(measuredWindow({ originMs: 0, periodMs: 60_000 }, 125_000, 30)).toEqual({ start: 180_000, end: 210_000 });
  });

  it('counts the instants a schedule owes in a window', () => {
    // a window of whole periods holds one instant per period whatever the phase
    expect(instantsIn(1_234, 10_000, 20_000, 80_000)).toBe(6);
    expect(instantsIn(20_000, 10_000, 20_000, 80_000)).toBe(6);
    // the end is excluded, the start included
    expect(instantsIn(0, 10_000, 10_000, 30_000)).toBe(2);
    // a schedule starting inside the window owes only what follows its start
    expect(instantsIn(55_000, 10_000, 20_000, 80_000)).toBe(3);
    // a schedule starting after the window owes nothing
    expect(instantsIn(90_000, 10_000, 20_000, 80_000)).toBe(0);
    // a minute grid in a 30 s window starting on a boundary: one run
    expect(instantsIn(0, 60_000, 180_000, 210_000)).toBe(1);
  });
});
