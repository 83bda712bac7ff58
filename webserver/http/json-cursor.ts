// The opaque cursors of the API's lists: the last row's position in the list's order, as base64url
// JSON. A cursor is the client's text too: a forged one is read with the position's own schema, and one
// this API did not return is a 422 naming the parameter.
import { z } from 'zod';

/** The cursor of a position (the sort key of a page's last row). */
export const encodeJsonCursor = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url');

function decodeJsonCursor<T extends z.ZodType>(shape: T, text: string): z.output<T> | null {
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** ?cursor= of a list whose positions have this shape: the position, or a 422 for the parameter. */
export function cursorParam<T extends z.ZodType>(shape: T) {
  return z.string().transform((text, ctx): z.output<T> => {
    const position = decodeJsonCursor(shape, text);
    if (position === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    }
    return position;
  });
}
