import { jest } from '@jest/globals';
import { DueSchedule, type Scheduled } from './due-schedule.js';

const START = Date.UTC(2030, 0, 1, 12, 0, 0);

interface Entry extends Scheduled {
  url: string;
}

const entry = (id: string, inMs: number): Entry => ({ id, fire_at: START + inMs, url: `https://example.com/${id}` });

/** A schedule on the fake clock that records every onDue call with the clock reading at that moment. */
function recordingSchedule() {
  const releases: Array<{ at: number; ids: string[] }> = [];
  const schedule = new DueSchedule<Entry>(
    (due) => releases.push({ at: Date.now(), ids: due.map((e) => e.id) }),
    () => Date.now(),
  );
  const released = () => releases.flatMap((release) => release.ids);
  return { schedule, releases, released };
}

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('DueSchedule', () => {
  test('an entry is not released one millisecond before its fire_at, and is released at it', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('a', 1_000)]);
    jest.advanceTimersByTime(999);
    expect(releases).toEqual([]);
    expect(schedule.size).toBe(1);
    jest.advanceTimersByTime(1);
    expect(releases).toEqual([{ at: START + 1_000, ids: ['a'] }]);
    expect(schedule.size).toBe(0);
  });

  test('no entry is ever released before its fire_at, whatever the order they were added in', () => {
    const { schedule, releases } = recordingSchedule();
    const offsets = [730, 15, 400, 999, 1, 250, 250, 600, 88, 1_500, 3, 42];
    schedule.add(offsets.map((offset, i) => entry(`e${i}`, offset)));
    jest.advanceTimersByTime(2_000);
    const fireAt = new Map(offsets.map((offset, i) => [`e${i}`, START + offset]));
    for (const release of releases) for (const id of release.ids) expect(release.at).toBeGreaterThanOrEqual(fireAt.get(id)!);
    expect(releases.flatMap((release) => release.ids)).toHaveLength(offsets.length);
  });

  test('entries are released in fire_at order, each on time', () => {
    const { schedule, releases, released } = recordingSchedule();
    schedule.add([entry('c', 300), entry('a', 100), entry('d', 400), entry('b', 200)]);
    jest.advanceTimersByTime(1_000);
    expect(released()).toEqual(['a', 'b', 'c', 'd']);
    expect(releases.map((release) => release.at - START)).toEqual([100, 200, 300, 400]);
  });

  test('a large shuffled set comes out sorted by fire_at', () => {
    const { schedule, released } = recordingSchedule();
    const offsets = Array.from({ length: 500 }, (_, i) => (i * 7_919) % 1_009); // a fixed permutation-like spread
    const entries = offsets.map((offset, i) => entry(`e${i}`, offset));
    schedule.add(entries.slice(0, 250));
    schedule.add(entries.slice(250));
    jest.advanceTimersByTime(2_000);
    const order = released().map((id) => entries.find((e) => e.id === id)!.fire_at);
    expect(order).toHaveLength(500);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  test('all entries due at the same instant are released in one call', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('a', 500), entry('b', 500), entry('late', 501), entry('c', 500)]);
    jest.advanceTimersByTime(500);
    expect(releases).toHaveLength(1);
    expect(releases[0]!.ids.sort()).toEqual(['a', 'b', 'c']);
    jest.advanceTimersByTime(1);
    expect(releases[1]).toEqual({ at: START + 501, ids: ['late'] });
  });

  test('an entry already due when added is released on the next timer turn', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('overdue', -5_000), entry('now', 0)]);
    expect(releases).toEqual([]); // never synchronously from add()
    jest.advanceTimersByTime(0);
    expect(releases).toEqual([{ at: START, ids: ['overdue', 'now'] }]);
  });

  test('an id added twice is held once and released once', () => {
    const { schedule, released } = recordingSchedule();
    schedule.add([entry('a', 100)]);
    schedule.add([entry('a', 100), entry('b', 200)]);
    schedule.add([{ ...entry('a', 50) }]); // claimed again with another fire_at: still the first one held
    expect(schedule.size).toBe(2);
    jest.advanceTimersByTime(99);
    expect(released()).toEqual([]);
    jest.advanceTimersByTime(200);
    expect(released()).toEqual(['a', 'b']);
  });

  test('an id can be held again once it has been released', () => {
    const { schedule, released } = recordingSchedule();
    schedule.add([entry('a', 100)]);
    jest.advanceTimersByTime(100);
    schedule.add([entry('a', 300)]);
    expect(schedule.size).toBe(1);
    jest.advanceTimersByTime(200);
    expect(released()).toEqual(['a', 'a']);
  });

  test('an earlier entry added later re-arms the timer, so it is not held back by the later one', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('later', 10_000)]);
    jest.advanceTimersByTime(100);
    schedule.add([entry('sooner', 500)]);
    jest.advanceTimersByTime(400);
    expect(releases).toEqual([{ at: START + 500, ids: ['sooner'] }]);
    jest.advanceTimersByTime(9_499);
    expect(releases).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(releases[1]).toEqual({ at: START + 10_000, ids: ['later'] });
  });

  test('a later entry added does not delay an earlier one', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('sooner', 500)]);
    schedule.add([entry('later', 10_000)]);
    jest.advanceTimersByTime(500);
    expect(releases).toEqual([{ at: START + 500, ids: ['sooner'] }]);
  });

  test('a timeout that comes too soon by the clock releases nothing and waits for fire_at', () => {
    // When the entry is added the clock reads 50 ms ahead, so the timeout is armed 50 ms too short.
    let ahead = 50;
    const released: string[] = [];
    const schedule = new DueSchedule<Entry>(
      (due) => released.push(...due.map((e) => e.id)),
      () => Date.now() + ahead,
    );
    schedule.add([entry('a', 1_000)]);
    ahead = 0;
    jest.advanceTimersByTime(950);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(49);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(released).toEqual(['a']);
  });

  test('with a lead time, entries are released that long before fire_at, and not earlier', () => {
    const released: string[] = [];
    const schedule = new DueSchedule<Entry>(
      (due) => released.push(...due.map((e) => e.id)),
      () => Date.now(),
      200,
    );
    schedule.add([entry('a', 1_000), entry('b', 1_100)]);
    jest.advanceTimersByTime(799);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(released).toEqual(['a']);
    jest.advanceTimersByTime(100);
    expect(released).toEqual(['a', 'b']);
  });

  test('with a window, the entries due within it after the earliest leave together with it, none before its instant', () => {
    const releases: Array<{ at: number; ids: string[] }> = [];
    const schedule = new DueSchedule<Entry>(
      (due) => releases.push({ at: Date.now(), ids: due.map((e) => e.id) }),
      () => Date.now(),
      200,
      50,
    );
    schedule.add([entry('a', 1_000), entry('b', 1_020), entry('c', 1_050), entry('d', 1_051), entry('e', 1_200)]);
    jest.advanceTimersByTime(799);
    expect(releases).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(releases).toEqual([{ at: START + 800, ids: ['a', 'b', 'c'] }]);
    jest.advanceTimersByTime(50);
    expect(releases).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(releases[1]).toEqual({ at: START + 851, ids: ['d'] });
    jest.advanceTimersByTime(1_000);
    expect(releases[2]).toEqual({ at: START + 1_000, ids: ['e'] });
  });

  test('with a window, a timeout that comes too soon by the clock still releases nothing before the earliest instant', () => {
    // When the entries are added the clock reads 30 ms ahead, so the timeout is armed 30 ms too short:
    // it comes within the window of the earliest entry's instant, and must still release nothing.
    let skew = 30;
    const released: string[] = [];
    const schedule = new DueSchedule<Entry>(
      (due) => released.push(...due.map((e) => e.id)),
      () => Date.now() + skew,
      200,
      50,
    );
    schedule.add([entry('a', 1_000), entry('b', 1_010)]);
    skew = 0;
    jest.advanceTimersByTime(770);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(29);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(released).toEqual(['a', 'b']);
  });

  test('a lead that grows is applied by rearm(): the entry leaves the new lead before its instant', () => {
    let lead = 200;
    const releases: Array<{ at: number; ids: string[] }> = [];
    const schedule = new DueSchedule<Entry>(
      (due) => releases.push({ at: Date.now(), ids: due.map((e) => e.id) }),
      () => Date.now(),
      () => lead,
    );
    schedule.add([entry('a', 2_000)]);
    jest.advanceTimersByTime(500);
    lead = 1_000;
    schedule.rearm();
    jest.advanceTimersByTime(499);
    expect(releases).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(releases).toEqual([{ at: START + 1_000, ids: ['a'] }]);
  });

  test('each release says when its group was meant to leave: fire_at minus the lead, or when its last entry arrived if later', () => {
    const planned: Array<{ at: number; plannedAt: number }> = [];
    const schedule = new DueSchedule<Entry>(
      (_due, plannedAt) => planned.push({ at: Date.now(), plannedAt }),
      () => Date.now(),
      200,
    );
    schedule.add([entry('a', 1_000)]);
    jest.advanceTimersByTime(1_000);
    // Added after its release instant had passed (due in 100 ms, lead 200 ms): meant to leave on arrival.
    schedule.add([entry('late', 1_100)]);
    jest.advanceTimersByTime(0);
    expect(planned).toEqual([
      { at: START + 800, plannedAt: START + 800 },
      { at: START + 1_000, plannedAt: START + 1_000 },
    ]);
  });

  test('drain() returns everything held, and nothing is released afterwards', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('a', 100), entry('b', 200), entry('c', 300)]);
    jest.advanceTimersByTime(100);
    const drained = schedule.drain();
    expect(drained.map((e) => e.id).sort()).toEqual(['b', 'c']);
    expect(drained.find((e) => e.id === 'b')).toEqual(entry('b', 200));
    expect(schedule.size).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(releases).toEqual([{ at: START + 100, ids: ['a'] }]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('drain() forgets the ids it returned, so they can be held again', () => {
    const { schedule, released } = recordingSchedule();
    schedule.add([entry('a', 100)]);
    schedule.drain();
    schedule.add([entry('a', 100)]);
    jest.advanceTimersByTime(100);
    expect(released()).toEqual(['a']);
  });

  test('stop() releases nothing further but keeps what is held', () => {
    const { schedule, releases } = recordingSchedule();
    schedule.add([entry('a', 100)]);
    schedule.stop();
    jest.advanceTimersByTime(1_000);
    expect(releases).toEqual([]);
    expect(schedule.drain().map((e) => e.id)).toEqual(['a']);
  });

  test('only one timeout is armed however many entries are held', () => {
    const { schedule } = recordingSchedule();
    schedule.add(Array.from({ length: 100 }, (_, i) => entry(`e${i}`, 1_000 - i)));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(2_000);
    expect(jest.getTimerCount()).toBe(0);
  });
});
