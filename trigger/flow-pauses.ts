// The pauses a trigger must know of before it sends any timer, whatever its key: all deliveries (an
// admin's maintenance pause) and each callback host paused by its own Retry-After. They are few; each
// trigger reads them every PAUSES_REFRESH_MS, so that a timer under no pause costs no database work. A
// timer under one asks the gate, which reads the pause itself under the row's lock: a pause ended in
// the meantime holds nothing. A pause begun elsewhere reaches this trigger within one refresh.
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { DELIVERIES_KEY_ID, flowKeyId, pausedGates, pauseUntilAtLeast, type FlowKind } from '../common/store/flow-keys.js';

export const PAUSES_REFRESH_MS = 500;

/** A key, a host or all deliveries, as a pause names it. */
export interface Gate {
  kind: FlowKind;
  ownerId: string | null;
  key: string;
}

export const hostGate = (host: string): Gate => ({ kind: 'host', ownerId: null, key: host });

export function watchPauses(main: Pool, now: () => number, log: Logger) {
  /** row id -> paused until (epoch ms, Infinity: until resumed) */
  let paused = new Map<string, number>();
  const refresh = () =>
    pausedGates(main, now()).then(
      (rows) => {
        paused = new Map(rows.map((row) => [row.id, Number(row.paused_until)]));
      },
      (err: Error) => log.warn({ err: err.message }, 'could not read the paused hosts and deliveries'),
    );
  void refresh();
  const timer = setInterval(() => void refresh(), PAUSES_REFRESH_MS);
  timer.unref();
  const isPaused = (id: string) => (paused.get(id) ?? 0) > now();
  return {
    /** The pauses that apply to a timer for this host (null: a delayed task) as this trigger knows them now. */
    pausesFor(host: string | null): string[] {
      if (paused.size === 0) return [];
      const ids = isPaused(DELIVERIES_KEY_ID) ? [DELIVERIES_KEY_ID] : [];
      if (host !== null) {
        const id = flowKeyId('host', null, host);
        if (isPaused(id)) ids.push(id);
      }
      return ids;
    },
    /** Pauses a key or host until `until` (lengthened, never shortened), here at once and for every trigger; its row id. */
    async pause(gate: Gate, until: number, reason: string): Promise<string> {
      await pauseUntilAtLeast(main, gate.kind, gate.ownerId, gate.key, until, reason, now());
      const id = flowKeyId(gate.kind, gate.ownerId, gate.key);
      if (gate.kind !== 'key') paused.set(id, Math.max(paused.get(id) ?? 0, until));
      return id;
    },
    stop: () => clearInterval(timer),
  };
}

export type PauseWatch = ReturnType<typeof watchPauses>;
