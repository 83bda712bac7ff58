// What every process does first: read the configuration, make its logger, treat an uncaught error as
// fatal (log, exit 1: the supervisor restarts it), prepare the graceful stop, and serve its metrics.
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { Shutdown, exitOnFatal } from './shutdown.js';
import { initMetrics } from '../observability/metrics.js';
import { serveMetrics } from '../observability/metrics-server.js';
import { loadEnvFile } from './env-file.js';

export interface ProcessContext {
  config: Config;
  log: Logger;
  shutdown: Shutdown;
}

export function startProcess(service: string): ProcessContext {
  loadEnvFile();
  const config = loadConfig();
  const log = createLogger(service, config.LOG_LEVEL);
  const fatal = exitOnFatal(log);
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const shutdown = new Shutdown(log, config.SHUTDOWN_TIMEOUT_MS);
  shutdown.listen();
  // Prometheus metrics (common/observability/metrics.ts): the webserver serves them on its own port, others on METRICS_PORT.
  initMetrics(service);
  serveMetrics(config, log, shutdown);
  return { config, log, shutdown };
}

/**
 * Logs {"msg":"ready"} whatever LOG_LEVEL is: the launcher and the tests wait for this line, and an
 * operator wants it in the log even when only warnings are kept.
 */
export function announceReady(log: ProcessContext['log'], fields: Record<string, unknown> = {}): void {
  log.child({}, { level: 'info' }).info(fields, 'ready');
}
