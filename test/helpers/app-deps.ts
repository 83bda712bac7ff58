// The webserver app's dependencies for integration tests: what main.ts builds from the configuration,
// with test defaults (loopback callbacks allowed, a queue that is never full); a test passes its own
// broker client, databases and whatever it exercises.
import type { createApp } from '../../webserver/app.js';
import { AddressPolicy, LOOPBACK_CIDRS } from '../../common/webhooks/callback-address.js';
import { WIDEST_RETENTION } from '../../common/messages/retention.js';

type AppDeps = Parameters<typeof createApp>[0];

export function appDeps(deps: Pick<AppDeps, 'amqp' | 'mainDb' | 'log'> & Partial<AppDeps>): AppDeps {
  return {
    shards: [],
    bodyLimitBytes: 65_536,
    readYourWritesWaitMs: 1_000,
    addressPolicy: new AddressPolicy(LOOPBACK_CIDRS),
    defaultMaxAttempts: 5,
    incomingQueue: { isFull: () => false },
    retentionBounds: WIDEST_RETENTION,
    maxInFlight: 1_000,
    now: Date.now,
    ...deps,
  };
}
