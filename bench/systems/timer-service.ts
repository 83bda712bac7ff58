// The timer service under test: the whole stack started through the launcher with its own databases,
// queue prefix, ports and run directory; removed again (processes, databases, queues) by stop().
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import amqplib from 'amqplib';
import pg from 'pg';
import { startStack, databaseUrls, PROCESS_KINDS, type Stack } from '../../launcher/stack.js';
import { dropDatabase } from '../../common/database-admin.js';
import { queueNames } from '../../common/queue-names.js';
import type { BenchOptions } from '../options.js';
import { withChildren } from '../metrics/cpu.js';
import { postgresPids, rabbitmqPids } from './shared-servers.js';
import { AMQP_URL, POSTGRES_URL, type SystemUnderTest } from './system.js';

const RUNS_DIR = fileURLToPath(new URL('../.runs/', import.meta.url));

export async function startTimerService(opts: BenchOptions): Promise<SystemUnderTest> {
  const name = `bench_${process.pid}_${randomBytes(2).toString('hex')}`;
  const names = queueNames(`${name}.`);
  const dbs = databaseUrls(POSTGRES_URL, name, opts.shards);
  let stack: Stack | null = null;

  const cleanUp = async () => {
    await stack?.stop();
    const connection = await amqplib.connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      for (const queue of [names.incomingTimers, names.timersToFire, names.incomingTimersDead, names.timersToFireDead]) {
        await channel.deleteQueue(queue);
      }
      await channel.deleteExchange(names.deadLetterExchange);
    } finally {
      await connection.close();
    }
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
      // LOG_LEVEL=warn would hide the {"msg":"ready"} info line the launcher waits for, and startStack
      // would never resolve; nothing on the hot paths logs at info, so info costs the same as warn here.
      env: { LOG_LEVEL: 'info' },
    });
  } catch (err) {
    await cleanUp().catch(() => undefined);
    throw err;
  }
  const running = stack;

  return {
    name: 'timer-service',
    apiUrl: running.url,
    settings: `${Object.entries(opts.replicas).map(([k, n]) => `${n} ${k}`).join(', ')}, ${opts.shards} shards, nginx in front, default configuration`,
    pidGroups() {
      const groups: Record<string, number[]> = {};
      for (const kind of PROCESS_KINDS) groups[kind] = running.of(kind).flatMap((p) => (p.pid ? [p.pid] : []));
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
    async seedHorizon(count) {
      // Same ids (md5 of a counter) in the main table and, split by counter modulo the shard count, in
      // the shards; due 300 days from now, 1 ms apart, pointing at a closed port. Not the shard function
      // of the pipeline: these rows never fall due during a run.
      const url = 'http://127.0.0.1:9/never';
      const tag = randomBytes(4).toString('hex');
      const run = async (dbUrl: string, sql: string, params: unknown[], table: string) => {
        const client = new pg.Client({ connectionString: dbUrl });
        await client.connect();
        try {
          await client.query(sql, params);
          await client.query(`VACUUM ANALYZE ${table}`);
        } finally {
          await client.end();
        }
      };
      const fireAt = `now() + interval '300 days' + g * interval '1 millisecond'`;
      await Promise.all([
        run(dbs.main, `INSERT INTO timers (id, url, fire_at, created_at)
                       SELECT md5($3 || g)::uuid, $2, ${fireAt}, now() FROM generate_series(1, $1::int) g`, [count, url, tag], 'timers'),
        ...dbs.shards.map((shardUrl, i) =>
          run(shardUrl, `INSERT INTO timers_to_fire (id, url, fire_at)
                         SELECT md5($3 || g)::uuid, $2, ${fireAt} FROM generate_series(1, $1::int) g
                          WHERE g % $4::int = $5::int`, [count, url, tag, dbs.shards.length, i], 'timers_to_fire'),
        ),
      ]);
    },
    stop: cleanUp,
  };
}
