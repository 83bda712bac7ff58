// A whole timer-service stack on one machine, against local (or configured) RabbitMQ and PostgreSQL:
// databases created and migrated, N replicas of each process type, nginx in front of the webservers.
// `npm run stack`, the end-to-end tests and the benchmark all start it through startStack().
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateAll } from '../common/db/migrate.js';
import { ManagedProcess } from './managed-process.js';
import { nginxConf, type ClientLimits } from './nginx-conf.js';
import { LOOPBACK_CIDRS } from '../common/webhooks/callback-address.js';
import { freePort } from './free-port.js';

export const PROCESS_KINDS = ['webserver', 'consumer', 'timer', 'trigger', 'worker', 'retention', 'random-user'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

export interface StackOptions {
  /** task workers, retention processes and random-user services are optional (0 when left out) */
  replicas: Record<'webserver' | 'consumer' | 'timer' | 'trigger', number> & Partial<Record<ProcessKind, number>>;
  shards: number;
  /** nginx port */
  port: number;
  /** first webserver port; replica i listens on webserverBasePort + i, unless webserverPorts names them */
  webserverBasePort: number;
  webserverPorts?: number[];
  /** random-user service ports (default port + 100 + i); nginx serves them under /random-user/ */
  randomUserPorts?: number[];
  /** an nginx port of the random-user service's own (usually 8001); none when unset */
  randomUserPublicPort?: number;
  /** database names are <name>_main and <name>_shard_<i>; queue names are prefixed with it when queuePrefix is unset */
  name: string;
  queuePrefix: string;
  amqpUrl: string;
  /** PostgreSQL server URL without a database name */
  postgresUrl: string;
  runDir: string;
  autoRestart: boolean;
  /** extra environment for every process (e.g. POLLER_INTERVAL_MS) */
  env: Record<string, string>;
  /** extra node flags for every pipeline process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] */
  nodeArgs?: string[];
  /** CPU priority (nice) per process kind (default DEFAULT_NICE) */
  nice?: Partial<Record<ProcessKind, number>>;
  /** nginx's per-client request rate and connection limits (default DEFAULT_CLIENT_LIMITS) */
  clientLimits?: ClientLimits;
  echo?: (line: string) => void;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/**
 * On a saturated machine the timers already due come first: webservers run at a lower CPU priority,
 * so intake slows down (and answers 503 past its bounds) before firing does. Compose does the same with
 * cpu_shares (docker-compose.yml).
 */
export const DEFAULT_NICE: Partial<Record<ProcessKind, number>> = { webserver: 10 };

export function databaseUrls(postgresUrl: string, name: string, shards: number) {
  const at = (db: string) => {
    const url = new URL(postgresUrl);
    url.pathname = `/${db}`;
    return url.toString();
  };
  return {
    main: at(`${name}_main`),
    shards: Array.from({ length: shards }, (_, i) => at(`${name}_shard_${i + 1}`)),
  };
}

export class Stack {
  readonly url: string;
  readonly processes = new Map<ProcessKind | 'nginx', ManagedProcess[]>();
  /** Prometheus endpoints by process name (webserver-1: its own port; the others: their METRICS_PORT) */
  readonly metricsUrls = new Map<string, string>();

  constructor(
    readonly options: StackOptions,
    readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  of(kind: ProcessKind | 'nginx'): ManagedProcess[] {
    return this.processes.get(kind) ?? [];
  }

  /** Starts (again) every replica of a kind that is not running; resolves once all are ready. */
  async startKind(kind: ProcessKind): Promise<void> {
    await Promise.all(this.of(kind).map((p) => p.start()));
  }

  /** Stops every replica of a kind gracefully. */
  async stopKind(kind: ProcessKind): Promise<void> {
    await Promise.all(this.of(kind).map((p) => p.stop()));
  }

  /** Stops everything: intake first (nginx, webservers), then the pipeline in flow order. */
  async stop(): Promise<void> {
    for (const kind of ['nginx', ...PROCESS_KINDS] as const) {
      await Promise.all(this.of(kind).map((p) => p.close()));
    }
  }
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolvePort();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const runDir = resolve(options.runDir);
  for (const dir of ['logs', 'nginx']) mkdirSync(join(runDir, dir), { recursive: true });
  const dbs = databaseUrls(options.postgresUrl, options.name, options.shards);
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    AMQP_URL: options.amqpUrl,
    QUEUE_PREFIX: options.queuePrefix,
    MAIN_DB_URL: dbs.main,
    SHARD_DB_URLS: dbs.shards.join(','),
    // nginx runs on this host and reaches the webservers, the random-user services and the metrics on
    // 127.0.0.1 (launcher/nginx-conf.ts); nobody else on the network reaches them, bypassing its limits.
    HTTP_HOST: '127.0.0.1',
    METRICS_HOST: '127.0.0.1',
    // Development mode: callbacks may reach this machine (receivers on loopback); production refuses it.
    WEBHOOK_ALLOWED_CIDRS: LOOPBACK_CIDRS.join(','),
    // Parse tasks on workers reach the random-user service through nginx.
    RANDOM_USER_SERVICE_URL: `http://127.0.0.1:${options.port}/random-user/`,
    // Every webserver replica of the stack signs and verifies tokens with this one key.
    JWT_SECRET_KEY: randomBytes(32).toString('base64url'),
    // Development mode: the /dashboard data (every owner's timers) needs no admin token; production's does.
    DASHBOARD_OPEN: 'true',
    ...options.env,
  };
  await migrateAll({ MAIN_DB_URL: dbs.main, SHARD_DB_URLS: dbs.shards });

  const stack = new Stack({ ...options, runDir }, env);
  const webserverPorts = options.webserverPorts ?? Array.from({ length: options.replicas.webserver }, (_, i) => options.webserverBasePort + i);
  const randomUserPorts = options.randomUserPorts ?? Array.from({ length: options.replicas['random-user'] ?? 0 }, (_, i) => options.port + 100 + i);
  // Every process but a webserver (which serves /metrics on its own port) gets a free METRICS_PORT.
  const metricsPorts = new Map<string, number>();
  for (const kind of PROCESS_KINDS) {
    if (kind === 'webserver') continue;
    for (let i = 0; i < (options.replicas[kind] ?? 0); i++) metricsPorts.set(`${kind}-${i + 1}`, await freePort());
  }
  const portOf = (kind: ProcessKind, i: number): Record<string, string> =>
    kind === 'webserver'
      ? { PORT: String(webserverPorts[i]) }
      : { METRICS_PORT: String(metricsPorts.get(`${kind}-${i + 1}`)), ...(kind === 'random-user' ? { RANDOM_USER_PORT: String(randomUserPorts[i]) } : {}) };
  for (const kind of PROCESS_KINDS) {
    const replicas = Array.from({ length: options.replicas[kind] ?? 0 }, (_, i) => {
      const name = `${kind}-${i + 1}`;
      stack.metricsUrls.set(name, `http://127.0.0.1:${kind === 'webserver' ? webserverPorts[i] : metricsPorts.get(name)}/metrics`);
      return new ManagedProcess({
        name,
        command: process.execPath,
        args: [...(options.nodeArgs ?? []), '--import', 'tsx', join(ROOT, kind, 'main.ts')],
        env: { ...process.env, ...env, ...portOf(kind, i) },
        logFile: join(runDir, 'logs', `${name}.log`),
        logsReady: true,
        autoRestart: options.autoRestart,
        nice: (options.nice ?? DEFAULT_NICE)[kind],
        echo: options.echo && ((line) => options.echo!(`${name.padEnd(12)} ${line}`)),
      });
    });
    stack.processes.set(kind, replicas);
  }

  const confFile = join(runDir, 'nginx.conf');
  writeFileSync(confFile, nginxConf({ port: options.port, webserverPorts, runDir, randomUserPorts, randomUserPublicPort: options.randomUserPublicPort, limits: options.clientLimits }));
  const nginx = new ManagedProcess({
    name: 'nginx',
    command: NGINX_BIN,
    args: ['-c', confFile, '-p', runDir, '-g', 'daemon off;'],
    env: process.env,
    logFile: join(runDir, 'logs', 'nginx.log'),
    logsReady: false,
    autoRestart: options.autoRestart,
  });
  stack.processes.set('nginx', [nginx]);

  try {
    // Flow order: whatever a process publishes finds its consumer already there.
    for (const kind of ['random-user', 'retention', 'worker', 'trigger', 'timer', 'consumer', 'webserver'] as const) await stack.startKind(kind);
    await nginx.start();
    await waitForPort(options.port, 10_000);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
