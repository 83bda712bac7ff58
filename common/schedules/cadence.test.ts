// The instants of a schedule's cadence: cron wall times in a zone across daylight-saving changes (the
// policy in cadence.ts), intervals as elapsed time, and what is accepted as a cron, an interval, a zone.
import { Cron } from 'croner';
import fc from 'fast-check';
import { type Cadence, cronProblem, instantsBetween, isKnownTimeZone, localTime, nextInstant, nextInstants, parseEvery } from './cadence.js';
import { instantOfWall, wallAt } from './zone-time.js';

const cron = (expression: string, timezone: string): Cadence => ({ kind: 'cron', cron: expression, timezone });
const at = (iso: string): number => Date.parse(iso);
const isos = (instants: number[]): string[] => instants.map((ms) => new Date(ms).toISOString());
/** The instants in (from, until], as ISO strings. */
const runs = (cadence: Cadence, from: string, until: string): string[] => isos(instantsBetween(cadence, at(from), at(until), 1_000));

describe('Europe/Berlin, clocks forward on 2026-03-29 (02:00 -> 03:00)', () => {
  test('a daily run in the skipped hour runs shifted forward by the gap, that day only', () => {
    const daily = cron('30 2 * * *', 'Europe/Berlin');
    expect(runs(daily, '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(localTime(at('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
  });

  test('an hourly cron runs each instant of the night once: the skipped 02:00 is 03:00, run once', () => {
    expect(runs(cron('0 * * * *', 'Europe/Berlin'), '2026-03-28T22:30:00Z', '2026-03-29T03:00:00Z')).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ]);
  });

  test('asked from inside the shifted stretch, the skipped slot still runs', () => {
    // 01:10Z is 03:10+02:00, after the wall time 02:30 but before its run at 03:30+02:00.
    expect(nextInstant(cron('30 2 * * *', 'Europe/Berlin'), at('2026-03-29T01:10:00Z'))).toBe(at('2026-03-29T01:30:00Z'));
  });
});

describe('Europe/Berlin, clocks back on 2026-10-25 (03:00 -> 02:00)', () => {
  test('a daily run in the repeated hour runs once, at its first occurrence', () => {
    expect(runs(cron('30 2 * * *', 'Europe/Berlin'), '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  test('a half-hourly cron skips the second pass of the repeated hour', () => {
    // 00:00Z 02:00+02, 00:30Z 02:30+02; 01:00Z and 01:30Z (02:00+01, 02:30+01) are the repeat; 02:00Z is 03:00+01.
    expect(runs(cron('*/30 * * * *', 'Europe/Berlin'), '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z')).toEqual([
      '2026-10-24T23:30:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T02:30:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  test('asked from inside the second pass, the next run is after the repeated hour', () => {
    expect(nextInstant(cron('*/30 * * * *', 'Europe/Berlin'), at('2026-10-25T01:10:00Z'))).toBe(at('2026-10-25T02:00:00Z'));
  });
});

describe('America/New_York, forward on 2026-03-08 and back on 2026-11-01', () => {
  test('02:30 on the day clocks go forward runs at 03:30-04:00', () => {
    expect(runs(cron('30 2 * * *', 'America/New_York'), '2026-03-07T00:00:00Z', '2026-03-09T12:00:00Z')).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  test('01:00 on the day clocks go back runs once, at 01:00-04:00', () => {
    expect(runs(cron('0 1 * * *', 'America/New_York'), '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-02T06:00:00.000Z']);
  });

  test('02:30 on the day clocks go back is not repeated (02:00-02:59 happens once there)', () => {
    expect(runs(cron('30 2 * * *', 'America/New_York'), '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual(['2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z']);
  });
});

describe('zones with half-hour offsets', () => {
  test('Asia/Kolkata (+05:30) runs 09:00 at 03:30Z', () => {
    expect(nextInstants(cron('0 9 * * *', 'Asia/Kolkata'), at('2026-01-01T00:00:00Z'), 2)).toEqual([at('2026-01-01T03:30:00Z'), at('2026-01-02T03:30:00Z')]);
  });

  test('Australia/Lord_Howe back half an hour on 2026-04-05 (02:00+11 -> 01:30+10:30): 01:45 runs once', () => {
    expect(runs(cron('45 1 * * *', 'Australia/Lord_Howe'), '2026-04-03T12:00:00Z', '2026-04-05T18:00:00Z')).toEqual([
      '2026-04-03T14:45:00.000Z',
      '2026-04-04T14:45:00.000Z',
      '2026-04-05T15:15:00.000Z',
    ]);
    expect(runs(cron('*/15 * * * *', 'Australia/Lord_Howe'), '2026-04-04T14:00:00Z', '2026-04-04T16:00:00Z')).toEqual([
      '2026-04-04T14:15:00.000Z',
      '2026-04-04T14:30:00.000Z',
      '2026-04-04T14:45:00.000Z',
      // 15:00Z and 15:15Z are 01:30 and 01:45 again, at +10:30
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T15:45:00.000Z',
      '2026-04-04T16:00:00.000Z',
    ]);
  });

  test('Australia/Lord_Howe forward half an hour on 2026-10-04 (02:00 -> 02:30): 02:15 runs at 02:45+11:00', () => {
    expect(runs(cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-10-02T12:00:00Z', '2026-10-04T18:00:00Z')).toEqual([
      '2026-10-02T15:45:00.000Z',
      '2026-10-03T15:45:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
    expect(localTime(at('2026-10-03T15:45:00Z'), 'Australia/Lord_Howe')).toBe('2026-10-04T02:45:00+11:00');
    expect(runs(cron('*/15 * * * *', 'Australia/Lord_Howe'), '2026-10-03T15:00:00Z', '2026-10-03T16:00:00Z')).toEqual([
      '2026-10-03T15:15:00.000Z',
      '2026-10-03T15:30:00.000Z',
      '2026-10-03T15:45:00.000Z',
      '2026-10-03T16:00:00.000Z',
    ]);
  });
});

describe('the end of February', () => {
  test('the 28th and 29th: one run in 2027, two in the leap year 2028', () => {
    expect(runs(cron('0 12 28-29 2 *', 'UTC'), '2027-01-01T00:00:00Z', '2028-12-31T00:00:00Z')).toEqual(['2027-02-28T12:00:00.000Z', '2028-02-28T12:00:00.000Z', '2028-02-29T12:00:00.000Z']);
  });

  test('L is the last day of the month', () => {
    expect(runs(cron('0 0 L 2 *', 'Europe/Berlin'), '2027-01-01T00:00:00Z', '2028-12-31T00:00:00Z')).toEqual(['2027-02-27T23:00:00.000Z', '2028-02-28T23:00:00.000Z']);
  });
});

test('a 6-field cron counts seconds first', () => {
  expect(isos(nextInstants(cron('*/15 * * * * *', 'UTC'), at('2026-05-01T10:00:07Z'), 4))).toEqual([
    '2026-05-01T10:00:15.000Z',
    '2026-05-01T10:00:30.000Z',
    '2026-05-01T10:00:45.000Z',
    '2026-05-01T10:01:00.000Z',
  ]);
});

test('the next instant is strictly after, even from an instant that is one, or with milliseconds', () => {
  const hourly = cron('0 * * * *', 'UTC');
  expect(nextInstant(hourly, at('2026-05-01T10:00:00Z'))).toBe(at('2026-05-01T11:00:00Z'));
  expect(nextInstant(hourly, at('2026-05-01T09:59:59.999Z'))).toBe(at('2026-05-01T10:00:00Z'));
  expect(nextInstant(hourly, at('2026-05-01T10:00:00.001Z'))).toBe(at('2026-05-01T11:00:00Z'));
});

test('a cron that never fires has no next instant', () => {
  expect(nextInstant(cron('0 0 30 2 *', 'UTC'), at('2026-01-01T00:00:00Z'))).toBeNull();
  expect(nextInstants(cron('0 0 30 2 *', 'UTC'), at('2026-01-01T00:00:00Z'), 3)).toEqual([]);
});

describe('an interval', () => {
  test.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2D', 172_800_000],
    ['1d 2h 3m 4s', 93_784_000],
    ['15', 15_000],
    [15, 15_000],
    [1.5, 1_500],
  ])('%p is %p ms', (value, ms) => {
    expect(parseEvery(value)).toBe(ms);
  });

  test.each(['0s', '-5s', 'abc', '', ' ', '30m1h', '1.5h', '5 minutes', '1h1h', 0, -5, 1.0001, NaN, Infinity])('%p is not an interval', (value) => {
    expect(parseEvery(value)).toBeNull();
  });

  test('runs at anchor + k * every, strictly after, never before the anchor', () => {
    const every = { kind: 'every', everyMs: 90_000, anchorMs: at('2026-05-01T10:00:00Z') } as const;
    expect(nextInstant(every, at('2026-05-01T09:00:00Z'))).toBe(at('2026-05-01T10:00:00Z'));
    expect(nextInstant(every, at('2026-05-01T10:00:00Z'))).toBe(at('2026-05-01T10:01:30Z'));
    expect(nextInstant(every, at('2026-05-01T10:01:29.999Z'))).toBe(at('2026-05-01T10:01:30Z'));
    expect(isos(nextInstants(every, at('2026-05-01T10:02:00Z'), 2))).toEqual(['2026-05-01T10:03:00.000Z', '2026-05-01T10:04:30.000Z']);
  });

  test('is elapsed time across a daylight-saving change', () => {
    const hourly = { kind: 'every', everyMs: 3_600_000, anchorMs: at('2026-03-28T23:00:00Z') } as const;
    const instants = nextInstants(hourly, at('2026-03-28T23:00:00Z'), 3);
    expect(isos(instants)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
    expect(instants.map((ms) => localTime(ms, 'Europe/Berlin'))).toEqual(['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00']);
  });
});

describe('cronProblem', () => {
  test.each(['61 * * * *', 'x', '', '0 0 0 1 1 * 2026', '* * * *', '*/0 * * * *', '@reboot'])('refuses %p, saying why', (expression) => {
    expect(cronProblem(expression)).toMatch(/^is not a valid cron expression: ./);
  });

  test('says a cron that names no date never fires', () => {
    expect(cronProblem('0 0 30 2 *')).toBe('never fires');
    expect(cronProblem('0 0 31 4 *')).toBe('never fires');
  });

  test.each(['*/5 * * * *', '0 9 * * MON-FRI', '0 0 1 JAN,JUL *', '@daily', '*/15 * * * * *', '0 0 L 2 *', '0 0 29 2 *'])('accepts %p', (expression) => {
    expect(cronProblem(expression)).toBeNull();
  });
});

test.each([
  ['Europe/Berlin', true],
  ['UTC', true],
  ['America/New_York', true],
  ['Mars/Olympus', false],
  ['', false],
  ['+01:00', false],
])('isKnownTimeZone(%p) is %p', (zone, known) => {
  expect(isKnownTimeZone(zone)).toBe(known);
});

test.each([
  [1_774_747_800_000, 'Europe/Berlin', '2026-03-29T03:30:00+02:00'],
  [at('2026-01-15T11:00:00Z'), 'Europe/Berlin', '2026-01-15T12:00:00+01:00'],
  [at('2026-01-15T11:00:00.250Z'), 'Europe/Berlin', '2026-01-15T12:00:00.250+01:00'],
  [at('2026-01-15T03:30:00Z'), 'Asia/Kolkata', '2026-01-15T09:00:00+05:30'],
  [at('2026-01-15T03:30:00Z'), 'UTC', '2026-01-15T03:30:00+00:00'],
  [at('2026-01-15T03:30:00Z'), 'America/New_York', '2026-01-14T22:30:00-05:00'],
])('localTime(%p, %p) is %p', (ms, zone, local) => {
  expect(localTime(ms, zone)).toBe(local);
});

test('instantsBetween keeps to (after, until] and to the limit', () => {
  const hourly = cron('0 * * * *', 'UTC');
  expect(runs(hourly, '2026-05-01T10:00:00Z', '2026-05-01T12:00:00Z')).toEqual(['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z']);
  expect(isos(instantsBetween(hourly, at('2026-05-01T10:00:00Z'), at('2026-05-01T20:00:00Z'), 3))).toEqual(['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z', '2026-05-01T13:00:00.000Z']);
  expect(instantsBetween(hourly, at('2026-05-01T10:00:00Z'), at('2026-05-01T10:59:59Z'), 3)).toEqual([]);
  expect(instantsBetween(hourly, at('2026-05-01T10:00:00Z'), at('2026-05-01T20:00:00Z'), 0)).toEqual([]);
});

describe('properties, around the 2026 daylight-saving changes', () => {
  // The instants clocks change in 2026 in each zone (none in Kolkata and UTC: any day will do).
  const CHANGES: [zone: string, at: string][] = [
    ['Europe/Berlin', '2026-03-29T01:00:00Z'],
    ['Europe/Berlin', '2026-10-25T01:00:00Z'],
    ['America/New_York', '2026-03-08T07:00:00Z'],
    ['America/New_York', '2026-11-01T06:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
    ['Asia/Kolkata', '2026-06-01T00:00:00Z'],
    ['UTC', '2026-06-01T00:00:00Z'],
  ];
  const CRONS = ['* * * * *', '*/15 * * * *', '0 * * * *', '30 2 * * *', '0,30 1-3 * * *', '45 1 * * *', '15 2 * * 0', '0 0 * * *'];
  const HOUR = 3_600_000;
  // A cron, and an instant up to a day and a half either side of a change in its zone.
  const around = fc
    .record({
      change: fc.constantFrom(...CHANGES),
      expression: fc.constantFrom(...CRONS),
      shift: fc.integer({ min: -36 * HOUR, max: 36 * HOUR }),
    })
    .map(({ change: [zone, change], expression, shift }) => ({ cadence: cron(expression, zone), from: at(change) + shift }));

  test('each next instant is strictly after the one asked from, and a chain of 200 never repeats one', () => {
    fc.assert(
      fc.property(around, ({ cadence, from }) => {
        let previous = from;
        for (let i = 0; i < 200; i++) {
          const next = nextInstant(cadence, previous);
          if (next === null || next <= previous) return false;
          previous = next;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  test("the runs of a day are exactly the instants of the cron's wall times in the zone, each once", () => {
    fc.assert(
      fc.property(around, ({ cadence, from }) => {
        if (cadence.kind !== 'cron') return true;
        // Every minute of wall time from two days before to two days after, read in the zone.
        const pattern = new Cron(cadence.cron, { mode: '5-or-6-parts', utcOffset: 0, paused: true });
        const start = Math.floor(wallAt(cadence.timezone, from) / 60_000) * 60_000 - 2 * 86_400_000;
        const named = new Set<number>();
        for (let wall = start; wall <= start + 4 * 86_400_000; wall += 60_000) {
          if (pattern.match(new Date(wall))) named.add(instantOfWall(cadence.timezone, wall));
        }
        const expected = [...named].filter((ms) => ms > from && ms <= from + 86_400_000).sort((a, b) => a - b);
        expect(isos(instantsBetween(cadence, from, from + 86_400_000, 10_000))).toEqual(isos(expected));
      }),
      { numRuns: 40 },
    );
  });
});
