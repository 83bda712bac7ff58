// Sheds load instead of falling over: a webserver serves at most `maxInFlight` requests at once and
// answers any more with 503 overloaded and Retry-After at once, so memory and latency stay bounded
// and nginx or the client retries elsewhere or later. Mounted after the health routes, which always answer.
import type { RequestHandler } from 'express';

export function shedLoad(maxInFlight: number): RequestHandler {
  let inFlight = 0;
  return (_req, res, next) => {
    if (inFlight >= maxInFlight) {
      res.status(503).set('Retry-After', '1').json({ error: 'overloaded', message: 'this server is at capacity; retry shortly' });
      return;
    }
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    next();
  };
}
