// GET /timers: timers newest first, filtered, in pages joined by an opaque cursor. The order is
// (created_at, id) descending, both fixed when a timer is accepted, so a page never repeats or skips
// a row of an earlier page while new timers keep arriving (they sort before the cursor).
import { z } from 'zod';
import type { Pool } from '../../common/db/pool.js';
import { instantText } from '../../common/messages/storable.js';
import { TIMER_COLUMNS, type TimerRow } from './find-timer.js';
import { scopeParams, type OwnerScope } from '../auth/authenticate.js';

export const TIMER_STATES = ['scheduled', 'firing', 'retrying', 'delivered', 'failed', 'cancelled'] as const;
export const MAX_PAGE = 500;

const instant = instantText;

interface Cursor {
  created_at: string;
  id: string;
}

// A cursor is the client's text too: a forged one is read with the same instant rules as any filter.
const cursorShape = z.object({ created_at: instantText, id: z.uuid() });

export function encodeCursor(row: Pick<TimerRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify({ created_at: row.created_at.toISOString(), id: row.id })).toString('base64url');
}

function decodeCursor(text: string): Cursor | null {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const listTimersQuery = z.strictObject({
  state: z.enum(TIMER_STATES, { error: `must be one of ${TIMER_STATES.join(', ')}` }).optional(),
  due_after: instant.optional(),
  due_before: instant.optional(),
  created_after: instant.optional(),
  created_before: instant.optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`).default(50),
  cursor: z
    .string()
    .transform((text, ctx) => {
      const cursor = decodeCursor(text);
      if (!cursor) ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return cursor ?? z.NEVER;
    })
    .optional(),
});

export type ListTimersQuery = z.infer<typeof listTimersQuery>;

/** listTimers(main, query): one page, and the cursor of the next one (null on the last page). */
export async function listTimers(main: Pool, query: ListTimersQuery, scope: OwnerScope = { all: true }): Promise<{ rows: TimerRow[]; nextCursor: string | null }> {
  const result = await main.query<TimerRow>(
    `SELECT ${TIMER_COLUMNS} FROM timers
      WHERE ($1::text IS NULL OR state = $1)
        AND ($2::timestamptz IS NULL OR fire_at > $2)
        AND ($3::timestamptz IS NULL OR fire_at < $3)
        AND ($4::timestamptz IS NULL OR created_at > $4)
        AND ($5::timestamptz IS NULL OR created_at < $5)
        AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
        AND ($9::boolean OR owner_id IS NOT DISTINCT FROM $10::uuid)
      ORDER BY created_at DESC, id DESC
      LIMIT $8`,
    [
      query.state ?? null,
      query.due_after ?? null,
      query.due_before ?? null,
      query.created_after ?? null,
      query.created_before ?? null,
      query.cursor?.created_at ?? null,
      query.cursor?.id ?? null,
      query.limit + 1,
      ...scopeParams(scope),
    ],
  );
  const rows = result.rows.slice(0, query.limit);
  const nextCursor = result.rows.length > query.limit ? encodeCursor(rows[rows.length - 1]!) : null;
  return { rows, nextCursor };
}
