// Request ids: the client's (or nginx's) x-request-id when it looks like one, else a new one; echoed in
// the answer, carried with a new timer through incoming_timers into its row, and logged at every hop
// (docs/architecture.md#following-a-timer-across-processes).
import type { RequestHandler, Response } from 'express';
import { nanoid } from 'nanoid';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIds: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  res.set('x-request-id', given !== undefined && REQUEST_ID.test(given) ? given : nanoid());
  next();
};

/** The request id set by requestIds for this request. */
export function requestIdOf(res: Response): string | undefined {
  return res.get('x-request-id');
}
