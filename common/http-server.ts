// What every HTTP process does with its server behind nginx: keep idle connections open longer than
// nginx's upstream keepalive_timeout (so nginx never reuses one we are closing), and on stop refuse new
// connections, close each keep-alive connection as soon as it is idle (nginx may still send a request
// on one that was busy when the stop began), and wait for the requests under way, for at most
// `drainMs`; then the connections left are cut.
import type { Server } from 'node:http';
import type { Shutdown } from './shutdown.js';

const IDLE_SWEEP_MS = 50;

export function manageHttpServer(server: Server, shutdown: Shutdown, drainMs = 5_000): void {
  server.keepAliveTimeout = 65_000;
  shutdown.add('http server', () => new Promise<void>((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const cut = setTimeout(() => server.closeAllConnections(), drainMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  }));
}
