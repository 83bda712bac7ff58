// Command-line flags of `npm run bench` and the scenario sizes of the quick and the full form.
import { parseArgs } from 'node:util';
import { wholeNumberFlag } from '../common/process/cli-flags.js';

export const SYSTEMS = ['timer-service', 'bullmq', 'pg-boss'] as const;
export type SystemName = (typeof SYSTEMS)[number];
export const SCENARIOS = ['create', 'create-batch', 'steady', 'mixed', 'burst', 'read', 'logs', 'tasks', 'schedules', 'flow', 'lifecycle', 'horizon'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  quick: boolean;
  only: ScenarioName[];
  systems: SystemName[];
  replicas: { webserver: number; consumer: number; timer: number; trigger: number; worker: number };
  shards: number;
  /** the timer service's webservers' CPU priority (nice), or null for the stack's default */
  webserverNice: number | null;
  port: number;
  concurrency: number;
  createSeconds: number;
  readSeconds: number;
  steadyRate: number;
  steadySeconds: number;
  /** creation rates of the mixed scenario (timers/s), one run each */
  mixedRates: number[];
  /** how long the mixed scenario creates at each rate */
  mixedSeconds: number;
  burstCount: number;
  horizonCount: number;
  /** finished timers issued 10-20 days ago, seeded for the lifecycle scenario's retention to remove */
  lifecycleCount: number;
  /** no-op tasks submitted in the tasks scenario */
  taskCount: number;
  /** synchronous round trips (submit and wait for the result) in the tasks scenario */
  roundTrips: number;
  /** recurring schedules (every 10 s each) in the schedules scenario */
  schedulesCount: number;
  /** how long the schedules scenario measures their runs */
  schedulesSeconds: number;
  /** timers on the flow scenario's limited key, all due at one instant */
  flowCount: number;
  /** timers on the flow scenario's free key, due at the same instant */
  flowFreeCount: number;
  /** where the timer service's processes write V8 CPU profiles (--cpu-prof), or null */
  cpuProfDir: string | null;
}

export const HELP = `usage: npm run bench -- [options]
  --quick                 the CI form (about two to three minutes): shorter runs, smaller counts
  --only LIST             scenarios, comma-separated: ${SCENARIOS.join(',')} (default: all;
                          cost is measured during steady)
  --systems LIST          ${SYSTEMS.join(',')} (default: all three)
  --webservers N --consumers N --timers N --triggers N --workers N   timer-service replicas (default 2 each;
                          BullMQ's task workers: --workers processes x concurrency 32, as TASK_WORKER_PREFETCH)
  --shards N              timer-db shards (default 2)
  --webserver-nice N      CPU priority (nice 0-19) of the timer service's webservers (default: the stack's, 10)
  --port N                first port used (default 18080)
  --burst N               timers in the burst (default 50000, quick 10000)
  --horizon N             far-future timers seeded for horizon (default 10000000, quick 100000)
  --lifecycle N           finished timers issued 10-20 days ago, seeded for lifecycle (default 10000000, quick 1000000)
  --steady-seconds N      length of the steady scenario (default 30, quick 10)
  --create-seconds N      length of the create scenario (default 20, quick 5)
  --mixed-rates LIST      creation rates of the mixed scenario, comma-separated (default 1000,2000)
  --mixed-seconds N       how long mixed creates at each rate (default 10, quick 5)
  --tasks N               no-op tasks in the tasks scenario (default 20000, quick 2000)
  --round-trips N         synchronous task round trips (default 5000, quick 500)
  --schedules-count N     recurring schedules, every 10 s each, in the schedules scenario (default 10000, quick 2000)
  --schedules-seconds N   how long the schedules scenario measures their runs (default 60, quick 30)
  --flow-count N          timers due at one instant on the flow scenario's key limited to 50/s (default 5000, quick 1000)
  --flow-free N           timers due at the same instant on a key without limits (default 500)
  --cpu-prof DIR          the timer service's processes write V8 CPU profiles into DIR when they stop
                          (open them in Chrome DevTools, or: node bench/report/profile-summary.ts DIR)`;

function list<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T[] {
  if (value === undefined) return [...allowed];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${flag}: unknown ${item}; one of ${allowed.join(',')}`);
  return items as T[];
}

const int = wholeNumberFlag;

function rates(value: string | undefined): number[] {
  if (value === undefined) return [1_000, 2_000];
  return value.split(',').map((item) => int('mixed-rates', item.trim(), 0));
}

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      systems: { type: 'string' },
      webservers: { type: 'string' },
      consumers: { type: 'string' },
      timers: { type: 'string' },
      triggers: { type: 'string' },
      workers: { type: 'string' },
      tasks: { type: 'string' },
      'round-trips': { type: 'string' },
      'schedules-count': { type: 'string' },
      'schedules-seconds': { type: 'string' },
      'flow-count': { type: 'string' },
      'flow-free': { type: 'string' },
      shards: { type: 'string' },
      'webserver-nice': { type: 'string' },
      port: { type: 'string' },
      burst: { type: 'string' },
      horizon: { type: 'string' },
      lifecycle: { type: 'string' },
      'steady-seconds': { type: 'string' },
      'create-seconds': { type: 'string' },
      'mixed-rates': { type: 'string' },
      'mixed-seconds': { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick ?? false;
  return {
    quick,
    only: list('only', values.only, SCENARIOS),
    systems: list('systems', values.systems, SYSTEMS),
    replicas: {
      webserver: int('webservers', values.webservers, 2),
      consumer: int('consumers', values.consumers, 2),
      timer: int('timers', values.timers, 2),
      trigger: int('triggers', values.triggers, 2),
      worker: int('workers', values.workers, 2),
    },
    shards: int('shards', values.shards, 2),
    webserverNice: values['webserver-nice'] === undefined ? null : int('webserver-nice', values['webserver-nice'], 0, 0),
    port: int('port', values.port, 18080),
    concurrency: 256,
    createSeconds: int('create-seconds', values['create-seconds'], quick ? 5 : 20),
    readSeconds: quick ? 3 : 10,
    steadyRate: 1000,
    steadySeconds: int('steady-seconds', values['steady-seconds'], quick ? 10 : 30),
    mixedRates: rates(values['mixed-rates']),
    mixedSeconds: int('mixed-seconds', values['mixed-seconds'], quick ? 5 : 10),
    burstCount: int('burst', values.burst, quick ? 10_000 : 50_000),
    horizonCount: int('horizon', values.horizon, quick ? 100_000 : 10_000_000),
    lifecycleCount: int('lifecycle', values.lifecycle, quick ? 1_000_000 : 10_000_000),
    taskCount: int('tasks', values.tasks, quick ? 2_000 : 20_000),
    roundTrips: int('round-trips', values['round-trips'], quick ? 500 : 5_000),
    schedulesCount: int('schedules-count', values['schedules-count'], quick ? 2_000 : 10_000),
    schedulesSeconds: int('schedules-seconds', values['schedules-seconds'], quick ? 30 : 60),
    flowCount: int('flow-count', values['flow-count'], quick ? 1_000 : 5_000),
    flowFreeCount: int('flow-free', values['flow-free'], 500),
    cpuProfDir: values['cpu-prof'] ?? null,
  };
}
