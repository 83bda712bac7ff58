// What every HTTP process does with its server behind nginx: keep idle connections open longer than
// nginx's upstream keepalive_timeout (so nginx never reuses one we are closing), and on stop refuse new
// connections, close the idle ones and wait for the requests under way.
import type { Server } from 'node:http';
import type { Shutdown } from './shutdown.js';

export function manageHttpServer(server: Server, shutdown: Shutdown): void {
  server.keepAliveTimeout = 65_000;
  shutdown.add('http server', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  }));
}
