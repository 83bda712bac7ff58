import { createLogger, type Logger } from '../../common/observability/logger.js';

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function silentLogger(): Logger {
  return createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
}
