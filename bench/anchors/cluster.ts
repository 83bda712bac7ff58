// Runs an anchor's process type as a node:cluster of `workers` processes (the anchors' counterpart of
// the timer service's replicas). The primary prints "ready" once every worker has started, and on
// SIGTERM stops the workers (each closes its queue client) before it exits.
import cluster from 'node:cluster';

export function runCluster(workers: number, startWorker: () => Promise<() => Promise<void>>): void {
  if (cluster.isPrimary) {
    let ready = 0;
    for (let i = 0; i < workers; i++) {
      const worker = cluster.fork();
      worker.on('message', (message) => {
        if (message === 'ready' && ++ready === workers) console.log('ready');
      });
    }
    cluster.on('exit', (worker, code) => {
      if (code !== 0 && !stopping) {
        console.error(`anchor worker ${worker.process.pid} exited with code ${code}`);
        process.exit(1);
      }
    });
    let stopping = false;
    process.on('SIGTERM', () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      const check = setInterval(() => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          clearInterval(check);
          process.exit(0);
        }
      }, 50);
    });
    return;
  }
  startWorker().then(
    (close) => {
      process.on('SIGTERM', () => {
        close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
      process.send?.('ready');
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

export function intEnv(name: string, fallback: number): number {
  const value = process.env[name];
  return value === undefined ? fallback : Number(value);
}
