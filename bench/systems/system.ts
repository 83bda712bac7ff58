// What the scenarios need from a system under test: its create/read API, its processes for the CPU
// accounting, a way to wait until accepted timers are stored, and its clean-up.
import type { SystemName } from '../options.js';
import type { PidGroups } from '../metrics/cpu.js';

export interface SystemUnderTest {
  name: SystemName;
  /** origin of POST /timer and GET /timer/{id} */
  apiUrl: string;
  /** settings worth printing in the report */
  settings: string;
  /** pids per process type, looked up afresh (PostgreSQL backends come and go) */
  pidGroups(): PidGroups;
  /** resolves once every timer answered 201 so far is stored (nothing left in intake queues) */
  settle(): Promise<void>;
  /** ready (not yet delivered to a consumer) messages per internal queue, where the system has any */
  queueDepths?(): Promise<Record<string, number>>;
  /** inserts `count` timers due ~300 days from now straight into storage (horizon scenario) */
  seedHorizon?(count: number): Promise<void>;
  /** background tasks, where the system runs them (the tasks scenario) */
  tasks?: TaskSystem;
  /** recurring schedules (the schedules scenario) */
  schedules?: ScheduleSystem;
  /** a limit on the deliveries of one key (the flow scenario) */
  flow?: FlowSystem;
  /** finished timers stored long ago and their removal by retention (the lifecycle scenario) */
  lifecycle?: LifecycleSystem;
  stop(): Promise<void>;
}

/** What the tasks scenario needs: no-op tasks end to end, and a synchronous round trip. */
export interface TaskSystem {
  /** submits a no-op task; true once accepted */
  submitNoop(): Promise<boolean>;
  /** no-op tasks finished since the system started */
  finishedNoops(): Promise<number>;
  /** submits a sum of [1, 2] and waits for its result; true when 3 came back */
  roundTrip(): Promise<boolean>;
  /** how the round trip is made, for the report */
  roundTripPath: string;
}

/**
 * What the schedules scenario needs: recurring schedules posting the webhook of each run to a URL with
 * the headers X-Schedule-Id and X-Schedule-Instant.
 */
export interface ScheduleSystem {
  /** how the system repeats, for the table (e.g. "every 10 s", "cron, minute resolution") */
  cadence: string;
  /** time between two runs of a schedule */
  periodMs: number;
  /** whether runs fall on the minutes of the clock (cron) rather than every period from each start */
  onMinutes: boolean;
  /** at most this many schedules, where more would harm the shared servers (the reason in `cadence`) */
  maxSchedules?: number;
  /** starts what runs schedules beyond the system's own processes, if anything */
  open(): Promise<void>;
  /** creates a schedule firing every period from `startAt` (epoch ms; ignored on minutes); resolves with its id */
  create(i: number, startAt: number, url: string): Promise<string>;
  /** (schedule, instant) pairs of these schedules stored as more than one run, where the system's storage can say */
  storedTwice?(scheduleIds: string[]): Promise<number>;
  /** removes the schedules created and stops what open() started */
  close(): Promise<void>;
}

/** A key's limit: at most `rate` deliveries started per `periodS` seconds, at most `parallelism` in flight. */
export interface FlowLimit {
  rate: number;
  periodS: number;
  parallelism: number;
}

/**
 * What the flow scenario needs: timers due at one instant, some on a key limited for every process that
 * delivers them, the others on a key without limits.
 */
export interface FlowSystem {
  /** how the limit is applied, for the report */
  limiter: string;
  /** sets the limit and starts what delivers the limited timers beyond the system's own processes, if anything */
  open(limit: FlowLimit): Promise<void>;
  /** creates `count` timers due at `dueAt` (epoch ms) posting to `url`, on the limited key or on the free one; resolves with their ids */
  create(count: number, dueAt: number, url: string, limited: boolean): Promise<string[]>;
  /** stops what open() started */
  close(): Promise<void>;
}

/** Where finished timers stand: how many rows and bytes, and how far their removal got. */
export interface LifecycleSnapshot {
  /** total bytes on disk of the tables retention works on (tables, indexes, TOAST, every partition) */
  bytes: number;
  /** bytes of the parts that hold none of the seeded timers (what is retained) */
  retainedBytes: number;
  /** parts (partitions) holding seeded timers that are still there */
  seededParts: number;
}

/**
 * What the lifecycle scenario needs: finished timers issued days ago and expired, stored straight away,
 * and the system's own removal of expired timers, switched off and on.
 */
export interface LifecycleSystem {
  /** how finished timers are removed, for the report */
  removal: string;
  /** stores `count` finished timers issued evenly between `fromMs` and `toMs` (epoch ms), all expired */
  seed(count: number, fromMs: number, toMs: number): Promise<void>;
  /** bytes and parts now (seeded: the timers of the last seed()) */
  snapshot(): Promise<LifecycleSnapshot>;
  /** parts holding seeded timers that are still there (cheap: watched while timers fire) */
  seededParts(): Promise<number>;
  /** seeded timers still stored (a count, so only once few are left) */
  seededLeft(): Promise<number>;
  /** removes expired timers every `intervalMs` from now on (0: never); resolves once that runs */
  sweep(intervalMs: number): Promise<void>;
  /** leaves removal as the system had it before the scenario */
  close(): Promise<void>;
}

export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
