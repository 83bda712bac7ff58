// The bodies and query strings of the flow-control routes: a key's limits (PUT /flow-control/{key}),
// a pause's end (POST .../pause, POST /deliveries/pause), the key in the path, and the list's paging.
// The key and each limit are held to the same rules as a timer's flow_control.
import { z } from 'zod';
import { flowKeyName, flowParallelism, flowPeriodS, flowRate } from '../../common/messages/flow-control.js';
import { instantText } from '../../common/messages/storable.js';
import { cursorParam } from '../http/json-cursor.js';

export const MAX_PAGE = 500;

const objectError = { error: (issue: { code: string }) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') };

/** PUT /flow-control/{key}: the key's limits exactly; a limit left out is none, period_s 1 unless given. */
export const flowLimitsRequest = z.strictObject(
  {
    rate: flowRate.optional().describe('deliveries started per period_s at most, spaced evenly; left out: no rate limit'),
    period_s: flowPeriodS.default(1).describe("the rate's window in seconds"),
    parallelism: flowParallelism.optional().describe('deliveries in flight at once at most; left out: no limit'),
  },
  objectError,
);

/** The `{key}` of a path: the same rule as flow_control.key. */
export const keyParam = z.strictObject({ key: flowKeyName });

/** A pause: until an instant, or until resumed when none is given. */
export const pauseRequest = z.strictObject({ until: instantText.optional().describe('the pause ends at this instant (in the future); left out: until resumed') }, objectError);

// A position in the list's order (owner, then key): the key is held to its own rule, so a forged cursor
// can hand the database nothing it cannot store.
const flowKeyCursor = cursorParam(z.object({ owner_id: z.uuid().nullable(), key: flowKeyName }));

export const listFlowKeysQuery = z.strictObject({
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`).default(50),
  cursor: flowKeyCursor.optional(),
});

/** An admin acting on another owner's key: `?owner_id=<uuid>`, or `none` for the ownerless keys. */
export const OWNERLESS = 'none';
export const keyOwnerQuery = z.object({
  owner_id: z
    .union([z.uuid(), z.literal(OWNERLESS)], { error: `must be a user's id (a UUID) or ${OWNERLESS}` })
    .optional()
    .describe(`admins only: the owner whose key this is (a user's id, or ${OWNERLESS} for the ownerless keys); left out: the caller's own`),
});
