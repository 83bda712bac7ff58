// Unit: what a flow key's capacity allows (pure functions).
import { admit, letGo, releasable, type Ask, type KeyState } from './flow-capacity.js';

const NOW = 1_000_000;
const key = (fields: Partial<KeyState> = {}): KeyState => ({ id: 'k', rate: null, periodS: 1, parallelism: null, pausedUntil: null, nextSlotAt: null, held: 0, active: 0, ...fields });
const ask = (timerId: string, fields: Partial<Ask> = {}): Ask => ({ timerId, pauses: [], key: 'k', lease: null, leaseMs: 10_000, ...fields });
const states = (...list: KeyState[]) => new Map(list.map((s) => [s.id, s]));

describe('admit', () => {
  test('a key without limits lets every timer go at once, without a lease', () => {
    const answers = admit(states(key()), [ask('a'), ask('b')], NOW, 1_000);
    expect(answers).toEqual([
      { kind: 'go', startAt: NOW, lease: null },
      { kind: 'go', startAt: NOW, lease: null },
    ]);
  });

  test('a key without a row limits nothing', () => {
    expect(admit(states(), [ask('a')], NOW, 1_000)).toEqual([{ kind: 'go', startAt: NOW, lease: null }]);
  });

  test('a rate spaces starts evenly and holds what falls beyond the horizon', () => {
    const k = key({ rate: 10, periodS: 1 });
    const answers = admit(
      states(k),
      ['a', 'b', 'c'].map((id) => ask(id)),
      NOW,
      150,
    );
    expect(answers).toEqual([
      { kind: 'go', startAt: NOW, lease: null },
      { kind: 'go', startAt: NOW + 100, lease: null },
      { kind: 'held', on: 'k' },
    ]);
    expect(k).toMatchObject({ nextSlotAt: NOW + 200, held: 1 });
  });

  test('a rate per period of several seconds spaces by period / rate', () => {
    const k = key({ rate: 2, periodS: 10 });
    admit(states(k), [ask('a')], NOW, 1_000);
    expect(k.nextSlotAt).toBe(NOW + 5_000);
  });

  test('parallelism lets that many go with a lease each, then holds', () => {
    const k = key({ parallelism: 2, active: 1 });
    const answers = admit(states(k), [ask('a'), ask('b')], NOW, 1_000);
    expect(answers[0]).toEqual({ kind: 'go', startAt: NOW, lease: { keyId: 'k', timerId: 'a', startAt: NOW, expiresAt: NOW + 10_000 } });
    expect(answers[1]).toEqual({ kind: 'held', on: 'k' });
    expect(k.active).toBe(2);
  });

  test('while timers wait on a key a newcomer waits behind them, even with capacity free', () => {
    const k = key({ parallelism: 5, held: 3 });
    expect(admit(states(k), [ask('a')], NOW, 1_000)).toEqual([{ kind: 'held', on: 'k' }]);
    expect(k.held).toBe(4);
  });

  test('a timer a release let go passes with its lease, at its slot, ahead of those waiting', () => {
    const lease = { keyId: 'k', timerId: 'a', startAt: NOW + 40, expiresAt: NOW + 5_000 };
    const k = key({ parallelism: 1, active: 1, held: 10 });
    expect(admit(states(k), [ask('a', { lease })], NOW, 1_000)).toEqual([{ kind: 'go', startAt: NOW + 40, lease: { ...lease, expiresAt: NOW + 40 + 10_000 } }]);
  });

  test('an expired lease is no ticket: the timer asks as a newcomer', () => {
    const lease = { keyId: 'k', timerId: 'a', startAt: NOW - 20_000, expiresAt: NOW - 1 };
    expect(admit(states(key({ held: 1 })), [ask('a', { lease })], NOW, 1_000)).toEqual([{ kind: 'held', on: 'k' }]);
  });

  test('a paused key holds its timers; a pause that has ended does not', () => {
    expect(admit(states(key({ pausedUntil: Infinity })), [ask('a')], NOW, 1_000)).toEqual([{ kind: 'held', on: 'k' }]);
    expect(admit(states(key({ pausedUntil: NOW + 1 })), [ask('a')], NOW, 1_000)).toEqual([{ kind: 'held', on: 'k' }]);
    expect(admit(states(key({ pausedUntil: NOW })), [ask('a')], NOW, 1_000)).toEqual([{ kind: 'go', startAt: NOW, lease: null }]);
  });

  test('a paused host or all deliveries hold a timer before its key is asked, in the order given', () => {
    const all = key({ id: 'all', pausedUntil: Infinity });
    const host = key({ id: 'host', pausedUntil: Infinity });
    const k = key({ parallelism: 1 });
    expect(admit(states(all, host, k), [ask('a', { pauses: ['all', 'host'] })], NOW, 1_000)).toEqual([{ kind: 'held', on: 'all' }]);
    expect(admit(states(host, k), [ask('b', { pauses: ['host'] })], NOW, 1_000)).toEqual([{ kind: 'held', on: 'host' }]);
    expect(k.active).toBe(0);
  });
});

describe('releasable and letGo', () => {
  test('as many as wait, when nothing limits', () => {
    expect(releasable(key({ held: 7 }), NOW, 1_000, 500)).toBe(7);
    expect(releasable(key({ held: 700 }), NOW, 1_000, 500)).toBe(500);
  });

  test('none while paused', () => {
    expect(releasable(key({ held: 7, pausedUntil: Infinity }), NOW, 1_000, 500)).toBe(0);
  });

  test('no more than the free places in flight', () => {
    expect(releasable(key({ held: 7, parallelism: 5, active: 3 }), NOW, 1_000, 500)).toBe(2);
    expect(releasable(key({ held: 7, parallelism: 5, active: 6 }), NOW, 1_000, 500)).toBe(0);
  });

  test("no more than the rate's slots within the horizon", () => {
    expect(releasable(key({ held: 100, rate: 50 }), NOW, 1_000, 500)).toBe(51);
    expect(releasable(key({ held: 100, rate: 50, nextSlotAt: NOW + 900 }), NOW, 1_000, 500)).toBe(6);
    expect(releasable(key({ held: 100, rate: 50, nextSlotAt: NOW + 1_001 }), NOW, 1_000, 500)).toBe(0);
  });

  test('letting go gives each timer the next slot and a lease, even on a key with a rate only', () => {
    const k = key({ held: 3, rate: 50, nextSlotAt: NOW - 5 });
    const grants = letGo(k, ['a', 'b'], NOW, 10_000);
    expect(grants.map((g) => g.startAt)).toEqual([NOW, NOW + 20]);
    expect(grants.map((g) => g.lease?.timerId)).toEqual(['a', 'b']);
    expect(k).toMatchObject({ held: 1, nextSlotAt: NOW + 40 });
  });
});
