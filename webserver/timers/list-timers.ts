// GET /timers: timers newest first, filtered, in pages joined by an opaque cursor. The order is
// (created_at, id) descending, both fixed when a timer is accepted, so a page never repeats or skips
// a row of an earlier page while new timers keep arriving (they sort before the cursor).
import { z } from 'zod';
import type { Pool } from '../../common/db/pool.js';
import { instantText } from '../../common/messages/storable.js';
import { listTimers, TIMER_KINDS, TIMER_STATES, type TimerRow } from '../../common/store/timers.js';
import type { OwnerScope } from '../../common/store/owner-scope.js';
import { cursorParam, encodeJsonCursor } from '../http/json-cursor.js';
export const MAX_PAGE = 500;

const instant = instantText;

// A cursor is the client's text too: a forged one is read with the same instant rules as any filter.
const cursorShape = z.object({ created_at: instantText, id: z.uuid() });

export function encodeCursor(row: Pick<TimerRow, 'created_at' | 'id'>): string {
  return encodeJsonCursor({ created_at: row.created_at.toISOString(), id: row.id });
}

/** ?cursor= of a list ordered by (created_at, id) newest first: the timers', and the schedules'. */
export const createdCursor = cursorParam(cursorShape);

export const listTimersQuery = z.strictObject({
  state: z.enum(TIMER_STATES, { error: `must be one of ${TIMER_STATES.join(', ')}` }).optional(),
  schedule_id: z.uuid({ error: 'must be a schedule id (a UUID)' }).optional(),
  // timer: the timers a client created (and schedules' runs); callback: the callbacks telling outcomes
  kind: z.enum(TIMER_KINDS, { error: `must be one of ${TIMER_KINDS.join(', ')}` }).optional(),
  due_after: instant.optional(),
  due_before: instant.optional(),
  created_after: instant.optional(),
  created_before: instant.optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`).default(50),
  cursor: createdCursor.optional(),
});

export type ListTimersQuery = z.infer<typeof listTimersQuery>;

/** listTimerPage(main, query, scope): one page, and the cursor of the next one (null on the last page). */
export async function listTimerPage(main: Pool, query: ListTimersQuery, scope: OwnerScope = { all: true }): Promise<{ rows: TimerRow[]; nextCursor: string | null }> {
  // One row more than the page: whether it comes back says whether there is a next page.
  const read = await listTimers(main, { ...query, limit: query.limit + 1 }, scope);
  const rows = read.slice(0, query.limit);
  const nextCursor = read.length > query.limit ? encodeCursor(rows[rows.length - 1]!) : null;
  return { rows, nextCursor };
}
