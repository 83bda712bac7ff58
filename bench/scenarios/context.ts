// What every scenario gets: the system under test, the load generator's client, the webhook receiver,
// the options, a progress printer, and figures earlier scenarios left for later ones.
import type { BenchOptions } from '../options.js';
import type { ApiClient } from '../load/api-client.js';
import type { Receiver } from '../load/receiver.js';
import type { SystemUnderTest } from '../systems/system.js';

export interface ScenarioContext {
  system: SystemUnderTest;
  api: ApiClient;
  receiver: Receiver;
  opts: BenchOptions;
  say: (line: string) => void;
  /** timers/s creation reached so far, the best of the create and steady runs (sizes the next runs) */
  createRate: number | null;
  /** median create latency of the create scenario (with the rate, sizes the burst's creation window) */
  createP50Ms: number | null;
  /** ids answered 201 by the create scenario (the read scenario's ids) */
  createdIds: string[];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A delay long enough that timers made only to measure creation never fire during the run. */
export const FAR_SECONDS = 86_400;
