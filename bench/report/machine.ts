// The machine and server versions a run was made on, for results/latest.json and BENCHMARKS.md.
import { execSync } from 'node:child_process';
import os from 'node:os';
import amqplib from 'amqplib';
import pg from 'pg';
import { Redis } from 'ioredis';
import { AMQP_URL, POSTGRES_URL, REDIS_URL, databaseUrl } from '../systems/system.js';

/**
 * How fast this machine runs plain JavaScript: the median of three timings of a fixed piece of work
 * (JSON round trips of 1,000 timer-shaped objects, 100 times). Figures from runs whose reference
 * differs are not comparable: a shared virtual machine can be several times slower on some days.
 */
export function cpuReferenceMs(): number {
  const timers = Array.from({ length: 1_000 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, url: 'http://127.0.0.1:9/hook', fire_at: 1_800_000_000_000 + i }));
  const timings = [0, 1, 2].map(() => {
    const started = performance.now();
    for (let i = 0; i < 100; i++) JSON.parse(JSON.stringify(timers));
    return performance.now() - started;
  });
  return Math.round(timings.sort((a, b) => a - b)[1]!);
}

async function attempt<T>(fn: () => Promise<T>): Promise<T | string> {
  try {
    return await fn();
  } catch (err) {
    return `unknown (${(err as Error).message})`;
  }
}

export async function machine(): Promise<Record<string, unknown>> {
  const postgres = await attempt(async () => {
    const client = new pg.Client({ connectionString: databaseUrl('postgres') });
    await client.connect();
    try {
      return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    } finally {
      await client.end();
    }
  });
  const rabbitmq = await attempt(async () => {
    const connection = await amqplib.connect(AMQP_URL);
    const props = (connection as unknown as { connection: { serverProperties: { version?: string } } }).connection.serverProperties;
    await connection.close();
    return props.version ?? 'unknown';
  });
  const redis = await attempt(async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    await client.connect();
    const info = await client.info('server');
    client.disconnect();
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  });
  const git = (args: string) => {
    try {
      return execSync(`git ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    commit: git('rev-parse --short HEAD'),
    uncommitted_changes: git('status --porcelain --untracked-files=no') !== '',
    load_average_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
    cpus: os.availableParallelism(),
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    cpu_reference_ms: cpuReferenceMs(),
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    rabbitmq,
    redis,
    postgres_url: POSTGRES_URL.replace(/\/\/[^@]*@/, '//'),
  };
}
