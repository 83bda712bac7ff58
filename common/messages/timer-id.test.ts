import { v4 as uuidv4, v7 as uuidv7, version } from 'uuid';
import { derivedId, instantOf, issuedAt, isTimerId, newTimerId } from './timer-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newTimerId', () => {
  test('gives a lower-case UUIDv7', () => {
    const id = newTimerId();
    expect(id).toMatch(UUID_V7);
    expect(version(id)).toBe(7);
  });

  test('gives a different id every call', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newTimerId()));
    expect(ids.size).toBe(10_000);
  });

  test('ids issued later sort after ids issued earlier', () => {
    const ids = Array.from({ length: 1_000 }, () => newTimerId());
    expect([...ids].sort()).toEqual(ids);
  });

  test('many ids within one millisecond still sort in the order they were issued, each unique', () => {
    const ids = Array.from({ length: 20_000 }, () => newTimerId());
    // Many share a millisecond: their order there is the counter's, not the random bits'.
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('the random part differs across more ids than one pool of random bytes holds', () => {
    const tails = new Set(Array.from({ length: 2_000 }, () => newTimerId().slice(-12)));
    expect(tails.size).toBe(2_000);
  });
});

describe('isTimerId', () => {
  test('accepts timer ids, in either case, and other UUID versions', () => {
    const id = newTimerId();
    expect(isTimerId(id)).toBe(true);
    expect(isTimerId(id.toUpperCase())).toBe(true);
    expect(isTimerId(uuidv4())).toBe(true);
  });

  test('refuses text that is not a UUID', () => {
    const id = newTimerId();
    for (const text of ['', 'abc', id.slice(0, -1), `${id}0`, id.replace(/-/g, ''), ` ${id}`, id.replace(/[0-9a-f]$/, 'g'), '../etc/passwd']) {
      expect(isTimerId(text)).toBe(false);
    }
  });
});

describe('issuedAt', () => {
  test('gives the instant a timer id was issued', () => {
    const before = Date.now();
    const id = newTimerId();
    const after = Date.now();
    const issued = issuedAt(id);
    expect(issued).not.toBeNull();
    expect(issued!).toBeGreaterThanOrEqual(before);
    expect(issued!).toBeLessThanOrEqual(after);
  });

  test('reads the instant of a UUIDv7 made at any time, upper case included', () => {
    for (const msecs of [0, 1, Date.UTC(2001, 8, 9, 1, 46, 40), Date.UTC(2030, 0, 1, 0, 0, 0, 123), 2 ** 48 - 1]) {
      const id = uuidv7({ msecs });
      expect(issuedAt(id)).toBe(msecs);
      expect(issuedAt(id.toUpperCase())).toBe(msecs);
    }
  });

  test('is null for a UUIDv4, which carries no instant', () => {
    for (let i = 0; i < 100; i++) expect(issuedAt(uuidv4())).toBeNull();
  });

  test('is null for the nil and max UUIDs and for text that is not a UUID', () => {
    for (const text of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '', 'garbage', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5', '0190a1b2c3d47e5f8a9b0c1d2e3f4a5b']) {
      expect(issuedAt(text)).toBeNull();
    }
  });
});

describe('derivedId', () => {
  const NAMESPACE = '6f1b3a52-8c0d-4e9b-a7f4-2d5c8e1b0f63';

  test('the same name gives the same id, another name another one', () => {
    expect(derivedId('a/1', NAMESPACE, 1_765_000_000_000)).toBe(derivedId('a/1', NAMESPACE, 1_765_000_000_000));
    expect(derivedId('a/2', NAMESPACE, 1_765_000_000_000)).not.toBe(derivedId('a/1', NAMESPACE, 1_765_000_000_000));
  });

  test('it carries its instant in the first 48 bits, as a UUIDv7 does, so its row lands in that day partition', () => {
    const id = derivedId('run', NAMESPACE, 1_765_000_000_123);
    expect(isTimerId(id)).toBe(true);
    expect(id[14]).toBe('8');
    expect(instantOf(id)).toBe(1_765_000_000_123);
    // Not mistaken for an id just issued by a webserver.
    expect(issuedAt(id)).toBeNull();
  });

  test('without an instant it is the name UUIDv5', () => {
    const id = derivedId('run', NAMESPACE, null);
    expect(id[14]).toBe('5');
    expect(instantOf(id)).toBeNull();
  });
});
