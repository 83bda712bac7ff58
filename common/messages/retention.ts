// A timer's, task's or schedule's own retention_s: how many seconds it is kept once it has finished, in
// place of the default of its outcome (RETENTION_DELIVERED_S, ...). One schema, built for two sets of
// bounds: the webserver holds a request to the configured ones (RETENTION_MIN_S..RETENTION_MAX_S), the
// incoming_timers message and the store to the widest a configuration can set, so that whatever the door
// accepts, under any configuration, a consumer can store.
import { z } from 'zod';

/** The least and the most retention_s a configuration may allow (common/process/config.ts: RETENTION_MIN_S, RETENTION_MAX_S). */
export const RETENTION_FLOOR_S = 60;
export const RETENTION_CEILING_S = 31_622_400;

export interface RetentionBounds {
  minS: number;
  maxS: number;
}

/** The widest bounds: those of every message and of the store. */
export const WIDEST_RETENTION: RetentionBounds = { minS: RETENTION_FLOOR_S, maxS: RETENTION_CEILING_S };

/** retentionSeconds(bounds): whole seconds within the bounds, each refusal saying the bound it breaks. */
export const retentionSeconds = ({ minS, maxS }: RetentionBounds = WIDEST_RETENTION) =>
  z
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(minS, `must be at least ${minS} (RETENTION_MIN_S)`)
    .max(maxS, `must be at most ${maxS} (RETENTION_MAX_S)`);

/** The problem of a retention_s under the configured bounds, or null when it is within them (or not given). */
export function retentionProblem(value: number | null | undefined, bounds: RetentionBounds): string | null {
  if (value === null || value === undefined) return null;
  const checked = retentionSeconds(bounds).safeParse(value);
  return checked.success ? null : (checked.error.issues[0]?.message ?? 'is not allowed');
}
