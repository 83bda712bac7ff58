// Starts one of the anchors' scripts (bench/anchors/*.ts) as a child process, its output in a log file;
// resolves once it prints "ready". stop(): SIGTERM, SIGKILL after a grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ANCHORS = fileURLToPath(new URL('../anchors/', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export interface AnchorProcess {
  pid: number;
  stop(): Promise<void>;
}

export async function startAnchor(script: string, env: Record<string, string>, logDir: string): Promise<AnchorProcess> {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(`${logDir}/${script.replace(/\.ts$/, '')}.log`, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `${ANCHORS}${script}`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} was not ready within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.write(`${line}\n`);
        if (line === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}) before it was ready; see ${logDir}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(force);
      log.end();
    },
  };
}
