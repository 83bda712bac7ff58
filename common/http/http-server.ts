// What every HTTP process does with its server behind nginx on stop (its deadlines and keep-alive
// timeout are set where it is made, create-http-server.ts): refuse new connections, close each keep-alive connection as soon as it is idle (nginx may still send a request
// on one that was busy when the stop began), and wait for the requests under way, for at most
// `drainMs`; then the connections left are cut.
import type { Server } from 'node:http';
import type { Shutdown } from '../process/shutdown.js';

const IDLE_SWEEP_MS = 50;

export function manageHttpServer(server: Server, shutdown: Shutdown, drainMs = 5_000): void {
  shutdown.add(
    'http server',
    () =>
      new Promise<void>((resolve) => {
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        const cut = setTimeout(() => server.closeAllConnections(), drainMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  );
}
