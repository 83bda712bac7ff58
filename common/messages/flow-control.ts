// A flow-control key as a timer, a batch item, a schedule or a delayed task names it: the key (its
// owner's), and optionally the limits it sets on the key: at most `rate` deliveries started per
// `period_s` seconds, at most `parallelism` in flight at once, across every trigger. The webserver's
// request schemas and the incoming_timers message share this one schema.
import { z } from 'zod';

export const MAX_FLOW_KEY_LENGTH = 128;
/** Letters, digits and . _ - : @, so that a key is also a path segment of /flow-control/{key}. */
export const FLOW_KEY_PATTERN = /^[A-Za-z0-9._:@-]+$/;
export const MAX_FLOW_RATE = 1_000_000;
export const MAX_FLOW_PERIOD_S = 86_400;
export const MAX_FLOW_PARALLELISM = 100_000;

export const flowKeyName = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_FLOW_KEY_LENGTH, `must be at most ${MAX_FLOW_KEY_LENGTH} characters`)
  .regex(FLOW_KEY_PATTERN, 'may hold only letters, digits and . _ - : @');

const wholeNumber = (max: number) => z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

export const flowRate = wholeNumber(MAX_FLOW_RATE);
export const flowPeriodS = wholeNumber(MAX_FLOW_PERIOD_S);
export const flowParallelism = wholeNumber(MAX_FLOW_PARALLELISM);

export const flowControl = z.strictObject({
  key: flowKeyName,
  rate: flowRate.optional(),
  period_s: flowPeriodS.optional(),
  parallelism: flowParallelism.optional(),
});
export type FlowControl = z.infer<typeof flowControl>;
