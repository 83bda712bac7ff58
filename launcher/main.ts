// `npm run stack`: the whole pipeline on this machine. Flags set the replica counts and ports; the
// broker and PostgreSQL come from AMQP_URL and POSTGRES_URL (defaults: local, as on a fresh Debian box).
import { parseArgs } from 'node:util';
import { startStack, type ProcessKind } from './stack.js';
import { startLocalMailSink } from './mail-sink.js';

const HELP = `usage: npm run stack -- [options]
  --webservers N   webserver replicas (default 2)
  --consumers N    consumer replicas (default 2)
  --timers N       timer poller replicas (default 2)
  --triggers N     trigger replicas (default 2)
  --workers N      task worker replicas (default 2)
  --retention N    retention processes (default 1; they take turns)
  --random-users N random-user service replicas (default 1)
  --random-user-port N  nginx port of the random-user service (default 8001, its usual port)
  --shards N       timer-db shards (default 2)
  --port N         nginx port, the API's (default 8080)
  --name NAME      database name prefix (default timer)
  --mail-port N    port of the local mail sink the workers send registration mails to (default 1025;
                   not started when SMTP_HOST is set: the workers use that server)
  --logs           print every process's log lines here too
environment: AMQP_URL (amqp://guest:guest@127.0.0.1:5672), POSTGRES_URL (postgres://postgres@127.0.0.1:5432),
  RABBITMQ_UI_URL (http://127.0.0.1:15672), and any variable of docs/configuration.md for every process`;

const { values } = parseArgs({
  options: {
    webservers: { type: 'string', default: '2' },
    consumers: { type: 'string', default: '2' },
    timers: { type: 'string', default: '2' },
    triggers: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    retention: { type: 'string', default: '1' },
    'random-users': { type: 'string', default: '1' },
    'random-user-port': { type: 'string', default: '8001' },
    shards: { type: 'string', default: '2' },
    port: { type: 'string', default: '8080' },
    name: { type: 'string', default: 'timer' },
    'mail-port': { type: 'string', default: '1025' },
    logs: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${flag} must be a whole number >= ${min}, got ${value}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  if (values.help) {
    console.log(HELP);
    return;
  }
  const replicas: Record<ProcessKind, number> = {
    webserver: count('webservers', values.webservers, 1),
    consumer: count('consumers', values.consumers, 1),
    timer: count('timers', values.timers, 1),
    trigger: count('triggers', values.triggers, 1),
    worker: count('workers', values.workers, 0),
    retention: count('retention', values.retention, 0),
    'random-user': count('random-users', values['random-users'], 0),
  };
  const port = count('port', values.port, 1);
  const passThrough = Object.fromEntries(
    Object.entries(process.env).filter(([key]) =>
      /^(LOG_LEVEL|HTTP_|METRICS_HOST|POLLER_|CONSUMER_|TRIGGER_|WEBHOOK_|DB_POOL_MAX|BODY_LIMIT_BYTES|READ_YOUR_WRITES_WAIT_MS|PUBLISH_CONFIRM_TIMEOUT_MS|SHUTDOWN_TIMEOUT_MS|TASK_|SUM_MAX_NUMBERS|RANDOM_USER_API_URL|RANDOM_USER_TIMEOUT_MS|JWT_|DEFAULT_EXP_DELTA_MIN|AUTH_REQUIRED|ADMIN_EMAILS|SMTP_|REGISTRATION_MAIL_|DASHBOARD_OPEN|HEARTBEAT_INTERVAL_MS|RABBITMQ_MANAGEMENT_URL|RETENTION_)/.test(
        key,
      ),
    ),
  ) as Record<string, string>;
  const mail = process.env.SMTP_HOST ? null : await startLocalMailSink(count('mail-port', values['mail-port'], 1), (line) => console.log(line));
  if (mail) Object.assign(passThrough, mail.env);
  const rabbitmqUi = process.env.RABBITMQ_UI_URL ?? 'http://127.0.0.1:15672';
  passThrough.RABBITMQ_MANAGEMENT_URL ??= rabbitmqUi;
  console.log(
    `starting: ${Object.entries(replicas)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}, ${values.shards} shards ...`,
  );
  const stack = await startStack({
    replicas,
    shards: count('shards', values.shards, 1),
    port,
    webserverBasePort: port + 1,
    randomUserPublicPort: count('random-user-port', values['random-user-port'], 1),
    name: values.name,
    queuePrefix: '',
    amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    postgresUrl: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432',
    runDir: '.stack',
    autoRestart: true,
    env: passThrough,
    echo: values.logs ? (line) => console.log(line) : undefined,
  });
  console.log(`
timer service is up
  API (through nginx):  ${stack.url}   e.g. curl -X POST ${stack.url}/timer -H 'content-type: application/json' -d '{"seconds":5,"url":"http://127.0.0.1:9999/hook"}'
                        tasks: curl -X POST ${stack.url}/sync/sum -d '[1, 2, 3]'
  random-user service:  http://127.0.0.1:${values['random-user-port']}/  (also ${stack.url}/random-user/)
  RabbitMQ management:  ${rabbitmqUi}  (guest/guest)
  dashboard:            ${stack.url}/dashboard  (DASHBOARD_OPEN=${stack.env.DASHBOARD_OPEN}: ${stack.env.DASHBOARD_OPEN === 'true' ? "open without a token in development; production needs an admin's token" : 'an admin logs in on the page'})
  development mode:     callbacks may reach ${stack.env.WEBHOOK_ALLOWED_CIDRS || 'no private address'} (WEBHOOK_ALLOWED_CIDRS);
                        production (docker-compose.yml) refuses loopback, private and link-local callbacks
  users and tokens:     curl -X POST ${stack.url}/users -H 'content-type: application/json' -d '{"email":"me@example.com","password":"change-me-please"}'
                        curl -X POST ${stack.url}/token -d 'username=me@example.com&password=change-me-please'
  mail:                 ${mail ? `registration mails go to the local mail sink on 127.0.0.1:${mail.port} and are printed here` : `registration mails go to ${process.env.SMTP_HOST}:${process.env.SMTP_PORT ?? 1025}`}
  logs:                 .stack/logs/
  Prometheus /metrics:  ${[...stack.metricsUrls.values()].join(' ')}
  webhook signing:      ${stack.env.WEBHOOK_SIGNING_SECRETS ? 'on (WEBHOOK_SIGNING_SECRETS)' : 'off: set WEBHOOK_SIGNING_SECRETS=whsec_... to sign webhooks'}
Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping ...');
    await stack.stop();
    await mail?.sink.close();
    console.log('stopped');
    process.exit(0);
  };
  // A stop that fails (a process that would not end, a sink that would not close) must still end the
  // launcher, and say why, rather than leave an unhandled rejection behind Ctrl-C.
  const onSignal = () => {
    stop().catch((err: unknown) => {
      console.error('stopping failed:', err instanceof Error ? err.message : err);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
