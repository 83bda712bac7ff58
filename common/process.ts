// What every process does first: read the configuration, make its logger, treat an uncaught error as
// fatal (log, exit 1: the supervisor restarts it), and prepare the graceful stop.
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { Shutdown, exitOnFatal } from './shutdown.js';

export interface ProcessContext {
  config: Config;
  log: Logger;
  shutdown: Shutdown;
}

export function startProcess(service: string): ProcessContext {
  const config = loadConfig();
  const log = createLogger(service, config.LOG_LEVEL);
  const fatal = exitOnFatal(log);
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const shutdown = new Shutdown(log, config.SHUTDOWN_TIMEOUT_MS);
  shutdown.listen();
  return { config, log, shutdown };
}
