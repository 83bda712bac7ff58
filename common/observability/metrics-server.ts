// GET /metrics for Prometheus: a tiny HTTP server on METRICS_HOST:METRICS_PORT for the processes without an HTTP
// API of their own (consumer, timer, trigger, worker, random-user), and a route for the webserver's app.
import type http from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { exitOnFatal, type Shutdown } from '../process/shutdown.js';
import type { Config } from '../process/config.js';
import { createHttpServer, httpTimeouts, listen } from '../http/create-http-server.js';
import { metricsText } from './metrics.js';

/** Express handler answering the exposition text. */
export const metricsRoute: RequestHandler = async (_req, res) => {
  const { contentType, body } = await metricsText();
  res.type(contentType).send(body);
};

/** Serves GET /metrics on METRICS_HOST:METRICS_PORT (port 0: not at all) until the process stops. */
export function serveMetrics(config: Config, log: Logger, shutdown: Shutdown): http.Server | null {
  const port = config.METRICS_PORT;
  if (port === 0) return null;
  const server = createHttpServer(
    {},
    (req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"only GET /metrics here"}');
        return;
      }
      metricsText().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
      );
    },
    httpTimeouts(config),
  );
  // A port in use is fatal like any other start-up error: the supervisor sees the process exit.
  listen(server, port, config.METRICS_HOST).then(() => log.info({ metrics_host: config.METRICS_HOST, metrics_port: port }, 'metrics served on /metrics'), exitOnFatal(log));
  shutdown.add(
    'metrics server',
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return server;
}
