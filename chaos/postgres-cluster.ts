// A PostgreSQL cluster of the chaos run's own (initdb in its folder, its own port), so that restarting
// it disturbs no other database on the machine. Debian's postgresql package, the newest installed.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { giveTo, runAs } from './service-user.js';

function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL under /usr/lib/postgresql: apt-get install -y postgresql');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

export class PostgresCluster {
  private readonly bin = binDir();

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** The server's URL without a database, as the launcher takes it. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    giveTo('postgres', this.dir);
    await runAs('postgres', `${this.bin}/initdb`, ['-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await this.pgCtl('start');
  }

  /** A fast restart: every session is ended, as when the server is restarted for an upgrade. */
  async restart(): Promise<void> {
    await this.pgCtl('restart');
  }

  async destroy(): Promise<void> {
    await runAs('postgres', `${this.bin}/pg_ctl`, ['-D', this.data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pgCtl(action: 'start' | 'restart'): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=300`;
    await runAs('postgres', `${this.bin}/pg_ctl`, ['-D', this.data, '-o', options, '-l', join(this.dir, 'server.log'), '-m', 'fast', '-w', action]);
  }
}
