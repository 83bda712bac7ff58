// What PostgreSQL can store, said once and checked at the door: text without U+0000 (a text or jsonb
// value refuses it) and without unpaired surrogates (not UTF-8: Node would silently turn them into
// U+FFFD, so the stored text would not be the text accepted), and instants within the range every
// route and message uses. The webserver refuses anything else with a 422 naming the field, so nothing
// a client sends can reach the database and fail there.
import { z } from 'zod';

/** The earliest instant accepted anywhere: the Unix epoch (messages carry instants as epoch ms ≥ 0). */
export const MIN_INSTANT_MS = Date.UTC(1970, 0, 1);
/** The latest: the end of year 9999, the last an ISO 8601 instant with four year digits can name. */
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const INSTANT_RANGE_MESSAGE = 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z';
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters (U+0000) or unpaired UTF-16 surrogates';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);
}

/** A string PostgreSQL stores as it is. */
export const storableText = z.string({ error: 'must be a string' }).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/** Whether an instant (epoch ms) is within the accepted range. */
export const isInstantInRange = (ms: number) => ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;

/** An instant as messages carry it: whole epoch milliseconds within the accepted range. */
export const instantMs = z.number().int().min(MIN_INSTANT_MS).max(MAX_INSTANT_MS);

const ISO_INSTANT_MESSAGE = 'must be an ISO 8601 instant with a time zone, e.g. 2030-01-01T12:00:00Z';

/**
 * An instant as clients write it (ISO 8601 with Z or an offset), read into the same instant written
 * in UTC (`...Z`). Any offset a client may write (+21:30 included) is resolved here, so the database
 * only ever sees UTC instants within the accepted range.
 */
export const instantText = z.iso.datetime({ offset: true, error: ISO_INSTANT_MESSAGE }).transform((text, ctx) => {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !isInstantInRange(ms)) {
    ctx.addIssue({ code: 'custom', message: INSTANT_RANGE_MESSAGE });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/**
 * The path of the first string (a value or a key) in a parsed body or query that PostgreSQL could not
 * store, e.g. ['timers', 3, 'url']; null when there is none. Iterative, so a body nested fifty
 * thousand levels deep (JSON.parse takes it) cannot overflow the stack.
 */
export function unstorablePath(value: unknown): Array<string | number> | null {
  interface Step {
    value: unknown;
    key: string | number | null;
    parent: Step | null;
  }
  const pathTo = (step: Step | null): Array<string | number> => {
    const path: Array<string | number> = [];
    for (let at = step; at && at.key !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const stack: Step[] = [{ value, key: null, parent: null }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const item = step.value;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return pathTo(step);
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], key: i, parent: step });
    } else if (item !== null && typeof item === 'object') {
      const keys = Object.keys(item);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (!isStorableText(key)) return [...pathTo(step), key];
        stack.push({ value: (item as Record<string, unknown>)[key], key, parent: step });
      }
    }
  }
  return null;
}
