// Acking or nacking a delivery on a channel that may have closed under us (a reconnect): harmless,
// since the broker redelivers every message that was not settled on a live channel.
import type { Logger } from '../observability/logger.js';

export type Settle = (action: () => void) => void;

export function safeSettle(log: Logger): Settle {
  return (action) => {
    try {
      action();
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'could not settle message on a closed channel');
    }
  };
}
