// Runs a database's or broker's own programs for the chaos run. As root (CI, containers) they run as
// their service user, as Debian's packages expect (initdb refuses root; RabbitMQ's wrappers switch to
// the rabbitmq user themselves); as anyone else they run as that user.
import { execFile } from 'node:child_process';
import { chownSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const isRoot = () => process.getuid?.() === 0;

/** Runs `command` as `user` when we are root, else as ourselves; rejects with its output on failure. */
export async function runAs(user: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const [file, argv] = isRoot() && user !== 'root' ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  try {
    const { stdout } = await run(file, argv, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const failure = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

/** Hands a folder to a service user when we are root, so that its programs can write there. */
export function giveTo(user: string, path: string): void {
  if (!isRoot()) return;
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  chownSync(path, uid, gid);
}
