// The timer service under test: the whole stack started through the launcher with its own databases,
// queue prefix, ports and run directory; removed again (processes, databases, queues) by stop().
import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { fileURLToPath } from 'node:url';
import { startStack, databaseUrls, DEFAULT_NICE, PROCESS_KINDS, type Stack } from '../../launcher/stack.js';
import { dropDatabase } from '../../common/db/database-admin.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { deleteTopology } from '../../common/broker/topology.js';
import type { BenchOptions } from '../options.js';
import { withChildren } from '../metrics/cpu.js';
import { postgresPids, rabbitmqPids } from './shared-servers.js';
import { seedHorizon } from './timer-service-horizon.js';
import { AMQP_URL, POSTGRES_URL, type SystemUnderTest } from './system.js';
import { timerServiceTasks } from './timer-service-tasks.js';
import { timerServiceSchedules } from './timer-service-schedules.js';
import { timerServiceFlow } from './timer-service-flow.js';
import { timerServiceLifecycle, type TimerServiceLifecycle } from './timer-service-lifecycle.js';

const RUNS_DIR = fileURLToPath(new URL('../.runs/', import.meta.url));

/** Pipeline settings from the bench's own environment (e.g. TRIGGER_PREFETCH=5000 npm run bench), as `npm run stack` takes them. */
export function pipelineEnv(): Record<string, string> {
  const keys = /^(POLLER_|CONSUMER_|TRIGGER_|WEBHOOK_|LOG_LEVEL$|DB_POOL_MAX$|READ_YOUR_WRITES_WAIT_MS$|PUBLISH_CONFIRM_TIMEOUT_MS$|TASK_)/;
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => keys.test(e[0]) && e[1] !== undefined));
}

export async function startTimerService(opts: BenchOptions): Promise<SystemUnderTest> {
  const name = `bench_${process.pid}_${randomBytes(2).toString('hex')}`;
  const names = queueNames(`${name}.`);
  const dbs = databaseUrls(POSTGRES_URL, name, opts.shards);
  let stack: Stack | null = null;
  let tasks: ReturnType<typeof timerServiceTasks> | null = null;
  let lifecycle: TimerServiceLifecycle | null = null;

  const cleanUp = async () => {
    await tasks?.close();
    await lifecycle?.end();
    await stack?.stop();
    await deleteTopology(AMQP_URL, names);
    for (const url of [dbs.main, ...dbs.shards]) await dropDatabase(url);
  };

  try {
    stack = await startStack({
      replicas: opts.replicas,
      shards: opts.shards,
      port: opts.port,
      webserverBasePort: opts.port + 1,
      name,
      queuePrefix: `${name}.`,
      amqpUrl: AMQP_URL,
      postgresUrl: POSTGRES_URL,
      runDir: `${RUNS_DIR}${name}`,
      autoRestart: false,
      nice: opts.webserverNice === null ? DEFAULT_NICE : { ...DEFAULT_NICE, webserver: opts.webserverNice },
      env: { LOG_LEVEL: 'warn', ...pipelineEnv() },
      // --cpu-prof DIR: every process of the stack writes a V8 CPU profile there when it stops.
      nodeArgs: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
    });
  } catch (err) {
    await cleanUp().catch(() => undefined);
    throw err;
  }
  const running = stack;
  tasks = timerServiceTasks(running.url, dbs.main, opts.concurrency);
  lifecycle = timerServiceLifecycle(dbs.main, running.env, running.options.runDir);
  const retention = lifecycle;

  return {
    name: 'timer-service',
    apiUrl: running.url,
    settings: `${Object.entries(opts.replicas)
      .map(([k, n]) => `${n} ${k}`)
      .join(
        ', ',
      )}, ${opts.shards} shards, webservers at nice ${opts.webserverNice ?? DEFAULT_NICE.webserver ?? 0}, nginx in front, configuration: ${JSON.stringify(pipelineEnv())} (default otherwise)`,
    pidGroups() {
      const groups: Record<string, number[]> = {};
      for (const kind of PROCESS_KINDS) groups[kind] = running.of(kind).flatMap((p) => (p.pid ? [p.pid] : []));
      // The lifecycle scenario's retention process, while it runs.
      const retentionPids = retention.pids();
      if (retentionPids.length > 0) groups.retention = [...(groups.retention ?? []), ...retentionPids];
      const nginx = running.of('nginx')[0]?.pid;
      groups.nginx = nginx ? withChildren(nginx) : [];
      groups.rabbitmq = rabbitmqPids();
      groups.postgres = postgresPids();
      return groups;
    },
    async settle() {
      const connection = await amqplib.connect(AMQP_URL);
      try {
        const channel = await connection.createChannel();
        let empty = 0;
        while (empty < 3) {
          const { messageCount } = await channel.checkQueue(names.incomingTimers);
          empty = messageCount === 0 ? empty + 1 : 0;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } finally {
        await connection.close();
      }
    },
    async queueDepths() {
      const connection = await amqplib.connect(AMQP_URL);
      try {
        const channel = await connection.createChannel();
        const incoming = (await channel.checkQueue(names.incomingTimers)).messageCount;
        const toFire = (await channel.checkQueue(names.timersToFire)).messageCount;
        return { incoming_timers: incoming, timers_to_fire: toFire };
      } finally {
        await connection.close();
      }
    },
    tasks,
    schedules: timerServiceSchedules(running.url, dbs.main, opts.concurrency),
    flow: timerServiceFlow(running.url, opts.replicas.trigger),
    lifecycle,
    seedHorizon: (count) => seedHorizon(dbs.main, dbs.shards, count, (line) => console.log(line)),
    stop: cleanUp,
  };
}
