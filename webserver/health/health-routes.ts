// GET /health: the process is alive. GET /ready: it can reach the broker and the main database.
import { Router } from 'express';
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';

const READY_QUERY_TIMEOUT_MS = 2_000;

export function healthRoutes(amqp: AmqpClient, mainDb: Pool): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const database = await Promise.race([
      mainDb.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(resolve, READY_QUERY_TIMEOUT_MS, false)),
    ]);
    const broker = amqp.isConnected();
    const ready = database && broker;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', broker: broker ? 'up' : 'down', database: database ? 'up' : 'down' });
  });
  return router;
}
