// random-user: the random-user service, its own process type and port; any number of replicas.
// Consumes: GET / through nginx (on its own port, 8001 by default, and under /random-user/ on the
//   API's port); a worker's parse task calls it the same way (RANDOM_USER_SERVICE_URL).
// Writes: random_users in the main database, one row per user fetched.
// Calls: the upstream random-user API (RANDOM_USER_API_URL, randomuser.me by default).
// No broker and no heartbeat.
// The random-user service process, on HTTP_HOST:RANDOM_USER_PORT (8001).
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { manageHttpServer } from '../common/http/http-server.js';
import { expressServer } from '../common/http/express-server.js';
import { httpTimeouts, listen } from '../common/http/create-http-server.js';
import { createPool } from '../common/db/pool.js';
import { createRandomUserApp } from './app.js';

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const db = createPool(config.MAIN_DB_URL, 'timer-random-user', config.DB_POOL_MAX, log);
  shutdown.add('database', () => db.end());
  const app = createRandomUserApp({ db, log, upstreamUrl: config.RANDOM_USER_API_URL, upstreamTimeoutMs: config.RANDOM_USER_TIMEOUT_MS });
  const server = expressServer(app, httpTimeouts(config));
  manageHttpServer(server, shutdown, config.SHUTDOWN_TIMEOUT_MS / 2);
  // HTTP_HOST: only nginx should reach it, as for a webserver.
  await listen(server, config.RANDOM_USER_PORT, config.HTTP_HOST);
  announceReady(log, { host: config.HTTP_HOST, port: config.RANDOM_USER_PORT });
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('random-user');
main(context).catch(exitOnFatal(context.log));
