// A RabbitMQ node of the chaos run's own: its own node name, ports and data folder, so that stopping
// and restarting it disturbs no other broker on the machine. Debian's rabbitmq-server package.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { giveTo, isRoot, runAs } from './service-user.js';

// As root the /usr/sbin wrappers switch to the rabbitmq user (and its Erlang cookie) themselves.
const STARTUP_TIMEOUT_MS = 120_000;
const BIN = () => (isRoot() ? '/usr/sbin' : '/usr/lib/rabbitmq/bin');

export class RabbitNode {
  readonly nodeName: string;

  constructor(
    private readonly dir: string,
    readonly port: number,
    name: string,
  ) {
    this.nodeName = `${name}@localhost`;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PID_FILE: join(this.dir, 'pid'),
      RABBITMQ_DIST_PORT: String(this.port + 20_000),
    };
  }

  /** Starts the node (creating its folder on first start); resolves once it accepts connections. */
  async start(): Promise<void> {
    for (const sub of ['mnesia', 'log']) mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${this.port}\n`);
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
    for (const path of [this.dir, join(this.dir, 'mnesia'), join(this.dir, 'log'), join(this.dir, 'rabbitmq.conf'), join(this.dir, 'enabled_plugins')]) {
      giveTo('rabbitmq', path);
    }
    await runAs('rabbitmq', `${BIN()}/rabbitmq-server`, ['-detached'], this.env());
    // await_startup fails at once until the new VM has registered its name with epmd: ask again.
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      try {
        await runAs('rabbitmq', `${BIN()}/rabbitmqctl`, ['-n', this.nodeName, 'await_startup', '--timeout', '60'], this.env());
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Stops the whole node (the Erlang VM too): every connection is dropped. */
  async stop(): Promise<void> {
    await runAs('rabbitmq', `${BIN()}/rabbitmqctl`, ['-n', this.nodeName, 'stop'], this.env());
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the node if it runs and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
