// The random-user service's HTTP app: GET / fetches one user from the
// upstream random-user API, stores it, and answers the stored user. An upstream failure or timeout:
// 502 with the reason, and nothing stored. The database down: 503 naming it.
import express, { type Express } from 'express';
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { errorHandler, notFound } from '../common/http/json-errors.js';
import { fetchRandomUser, UpstreamError } from './fetch-user.js';
import { storeUser } from './store-user.js';

export interface RandomUserDeps {
  db: Pool;
  log: Logger;
  upstreamUrl: string;
  upstreamTimeoutMs: number;
}

export function createRandomUserApp(deps: RandomUserDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/', async (_req, res) => {
    let user;
    try {
      user = await fetchRandomUser(deps.upstreamUrl, deps.upstreamTimeoutMs);
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      deps.log.warn({ reason: err.message }, 'random-user API failed');
      res.status(502).json({ error: 'upstream_failed', dependency: 'random-user API', message: err.message });
      return;
    }
    res.json(await storeUser(deps.db, user));
  });
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
