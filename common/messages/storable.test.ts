import { describe, expect, it, test } from '@jest/globals';
import { instantText, isStorableText, MAX_INSTANT_MS, MIN_INSTANT_MS, unstorablePath } from './storable.js';

describe('text PostgreSQL can store', () => {
  it.each([
    ['plain text', 'http://example.com/a', true],
    ['a paired surrogate (an emoji)', 'a\ud83d\ude00b', true],
    ['U+0000', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud800b', false],
    ['a lone low surrogate', 'a\udc00b', false],
    ['a high surrogate at the end', 'a\ud83d', false],
    ['two high surrogates then a low one', '\ud83d\ud83d\ude00', false],
  ])('%s', (_name, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });

  it('names the first offending string of a body by its path, keys included', () => {
    expect(unstorablePath({ a: 'ok', b: [1, 'x', { c: 'y\u0000' }] })).toEqual(['b', 2, 'c']);
    expect(unstorablePath({ ok: { 'k\u0000': 1 } })).toEqual(['ok', 'k\u0000']);
    expect(unstorablePath('\ud800')).toEqual([]);
    expect(unstorablePath({ a: ['fine', 2, null, true] })).toBeNull();
  });
});

describe('instants', () => {
  it('reads an instant with any offset as the same instant in UTC', () => {
    expect(instantText.parse('2026-01-01T00:00:00+21:30')).toBe('2025-12-31T02:30:00.000Z');
    expect(instantText.parse('2026-01-01T12:00:00-15:59')).toBe('2026-01-02T03:59:00.000Z');
  });

  it('accepts the bounds and refuses what is outside them', () => {
    expect(Date.parse(instantText.parse('1970-01-01T00:00:00Z'))).toBe(MIN_INSTANT_MS);
    expect(Date.parse(instantText.parse('9999-12-31T23:59:59.999Z'))).toBe(MAX_INSTANT_MS);
    for (const text of ['1969-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59-01:00']) {
      expect(instantText.safeParse(text).success).toBe(false);
    }
  });
});

test('a body nested fifty thousand levels deep is walked without overflowing the stack', () => {
  const deep = JSON.parse('['.repeat(50_000) + '"a\\u0000"' + ']'.repeat(50_000)) as unknown;
  expect(unstorablePath(deep)).toHaveLength(50_000);
  expect(unstorablePath(JSON.parse('{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)))).toBeNull();
});
