import { dueTimerMessage, encodeMessage, incomingTimerMessage, type DueTimer, type IncomingTimer } from './timer-message.js';
import { decodeMessage } from './decode.js';
import { PoisonMessageError } from '../errors/poison-message.js';
import { newTimerId } from './timer-id.js';

const incoming: IncomingTimer = {
  id: newTimerId(),
  url: 'https://example.com/hook?a=1',
  fire_at: Date.UTC(2030, 0, 1, 12, 0, 5),
  created_at: Date.UTC(2030, 0, 1, 12, 0, 0),
};
const due: DueTimer = { id: newTimerId(), url: 'http://localhost:3000/cb', fire_at: Date.UTC(2030, 0, 1) };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function poisonOf(fn: () => unknown): PoisonMessageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PoisonMessageError);
    return err as PoisonMessageError;
  }
  throw new Error('expected a PoisonMessageError, nothing was thrown');
}

describe('encodeMessage / decodeMessage', () => {
  test('an incoming timer survives the round trip unchanged', () => {
    expect(decodeMessage(incomingTimerMessage, encodeMessage(incoming))).toEqual(incoming);
  });

  test('a due timer survives the round trip unchanged', () => {
    expect(decodeMessage(dueTimerMessage, encodeMessage(due))).toEqual(due);
  });

  test('a message is encoded as UTF-8 JSON, so other tools can read the queue', () => {
    const withUnicode: DueTimer = { ...due, url: 'https://example.com/ünïcødé' };
    expect(JSON.parse(encodeMessage(withUnicode).toString('utf8'))).toEqual(withUnicode);
    expect(decodeMessage(dueTimerMessage, encodeMessage(withUnicode))).toEqual(withUnicode);
  });

  test('a due timer message does not pass as an incoming one (created_at missing)', () => {
    expect(() => decodeMessage(incomingTimerMessage, encodeMessage(due))).toThrow(PoisonMessageError);
  });
});

describe('decodeMessage refuses poison messages', () => {
  test('a body that is not JSON is poison, and says so', () => {
    for (const body of ['', 'not json', '{"id":', '\u0000\u0001']) {
      const err = poisonOf(() => decodeMessage(dueTimerMessage, Buffer.from(body)));
      expect(err.message).toMatch(/not JSON/);
      expect(err.name).toBe('PoisonMessageError');
    }
  });

  test.each([
    ['a missing id', { url: due.url, fire_at: due.fire_at }],
    ['an id that is not a UUID', { ...due, id: 'timer-42' }],
    ['a negative fire_at', { ...due, fire_at: -1 }],
    ['a fire_at given as a string', { ...due, fire_at: String(due.fire_at) }],
    ['a fractional fire_at', { ...due, fire_at: due.fire_at + 0.5 }],
    ['an empty url', { ...due, url: '' }],
  ])('JSON with %s is poison, and the message names the field', (_what, message) => {
    const err = poisonOf(() => decodeMessage(dueTimerMessage, json(message)));
    expect(err.message).toMatch(/wrong shape/);
    const field = Object.keys(due).find((key) => (message as Record<string, unknown>)[key] !== (due as unknown as Record<string, unknown>)[key]);
    expect(err.message).toContain(field!);
  });

  test('JSON that is not an object (null, an array, a number) is poison', () => {
    for (const value of [null, [due], 42, 'text']) {
      expect(() => decodeMessage(dueTimerMessage, json(value))).toThrow(PoisonMessageError);
    }
  });

  test('an incoming timer with a negative created_at is poison', () => {
    expect(() => decodeMessage(incomingTimerMessage, json({ ...incoming, created_at: -5 }))).toThrow(PoisonMessageError);
  });
});
