// The whole service's configuration: the environment parsed once, validated with zod, frozen.
// A bad value stops start-up with the variable's name; see docs/configuration.md for every key.
import { isIP } from 'node:net';
import { z } from 'zod';
import { isCidr } from '../webhooks/callback-address.js';
import { isSigningSecret } from '../webhooks/signing-secret.js';
import { JWT_ALGORITHMS } from '../auth/tokens.js';

/** The key tokens are signed with when JWT_SECRET_KEY is unset outside production: public, never secret. */
export const DEV_JWT_SECRET = 'timer-service development key: not secret, never in production';
export const MIN_JWT_SECRET_BYTES = 32;

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

// An address of this host's own interfaces to listen on; 0.0.0.0 (or ::) means all of them.
const listenHost = (fallback: string) =>
  z
    .string()
    .refine((host) => isIP(host) !== 0, 'must be an IP address such as 127.0.0.1 or 0.0.0.0')
    .default(fallback);
/** Names Express's `trust proxy` knows for address ranges (proxy-addr). */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A comma-separated setting as its items: each trimmed (and normalised), empty ones dropped. */
const commaList = (normalise: (item: string) => string = (item) => item) =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((part) => normalise(part.trim()))
      .filter(Boolean),
  );

const urlList = commaList().pipe(z.array(z.url({ protocol: /^postgres(ql)?$/ })).min(1, 'at least one shard URL'));

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('deployment mode'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level: fatal, error, warn, info, debug, trace or silent'),
    PORT: int(0, 65535, 3000).describe('HTTP port of a webserver'),
    HTTP_HOST: listenHost('127.0.0.1').describe(
      'address the webserver and the random-user service listen on: 127.0.0.1 when nginx runs on the same host, 0.0.0.0 in a container (the Docker image sets it) so nginx in another container reaches them',
    ),
    METRICS_HOST: listenHost('127.0.0.1').describe("address a process's own /metrics endpoint (METRICS_PORT) listens on: 127.0.0.1 when Prometheus runs on the same host, 0.0.0.0 in a container"),
    // nginx gives its clients the same (load-balancers/webserver/locations.conf): whoever reaches a
    // server directly gets no longer than a client of nginx.
    HTTP_HEADERS_TIMEOUT_MS: int(1_000, 300_000, 10_000).describe("a request's headers must arrive within this, or 408 (nginx: client_header_timeout 10s)"),
    HTTP_BODY_TIMEOUT_MS: int(100, 300_000, 10_000).describe(
      "a request's body must arrive within this after its headers, however it is trickled, or 408 and the connection is closed (nginx: client_body_timeout 10s)",
    ),
    HTTP_REQUEST_TIMEOUT_MS: int(1_000, 600_000, 20_000).describe('a whole request, headers and body, must arrive within this, or 408'),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 600_000, 65_000).describe(
      "an idle keep-alive connection is closed after this; keep it above the keepalive_timeout of nginx's upstream blocks (60s), so nginx never reuses a connection a server is closing",
    ),
    AMQP_URL: z
      .url({ protocol: /^amqps?$/ })
      .default('amqp://guest:guest@127.0.0.1:5672')
      .describe('RabbitMQ URL, vhost included'),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9_.-]*$/, 'lower-case letters, digits, _ . - only')
      .default('')
      .describe('prefix of every queue and exchange name, so several stacks can share one broker'),
    MAIN_DB_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .default('postgres://postgres@127.0.0.1:5432/timer_main')
      .describe('the main database: the timers table'),
    SHARD_DB_URLS: urlList
      .default(['postgres://postgres@127.0.0.1:5432/timer_shard_1', 'postgres://postgres@127.0.0.1:5432/timer_shard_2'])
      .describe('comma-separated timer-db shards, each holding a timers_to_fire table; order is the shard number'),
    DB_POOL_MAX: int(1, 200, 10).describe('connections per database pool'),
    BODY_LIMIT_BYTES: int(256, 10_485_760, 65_536).describe('largest accepted request body'),
    PUBLISH_CONFIRM_TIMEOUT_MS: int(100, 60_000, 5_000).describe('how long a publish waits for the broker confirm before 503'),
    WEBSERVER_MAX_IN_FLIGHT: int(1, 1_000_000, 2_048).describe('requests a webserver serves at once; more get 503 overloaded'),
    INCOMING_QUEUE_MAX_MESSAGES: int(1, 1_000_000_000, 1_000_000).describe('backlog of incoming_timers at which POST /timer answers 503 queue_full'),
    READ_YOUR_WRITES_WAIT_MS: int(0, 30_000, 5_000).describe('how long GET /timer waits for a just-accepted timer to be persisted'),
    CONSUMER_PREFETCH: int(1, 65_535, 2_000).describe('unacked incoming_timers messages a consumer holds'),
    CONSUMER_BATCH_MAX: int(1, 10_000, 1_000).describe('rows per multi-row insert'),
    CONSUMER_BATCH_LINGER_MS: int(0, 1_000, 0).describe('an idle consumer waits this long for more timers before an insert (fewer, larger inserts at a moderate rate)'),
    POLLER_INTERVAL_MS: int(5, 60_000, 500).describe('how often a poller looks for rows entering the look-ahead window (rows due sooner signal it)'),
    POLLER_LOOKAHEAD_MS: int(0, 600_000, 2_000).describe('claim rows due within this window and hold them in memory'),
    POLLER_PUBLISH_AHEAD_MS: int(0, 5_000, 200).describe('publish a due timer this long before fire_at; the trigger claims it, then sends at fire_at'),
    POLLER_PUBLISH_AHEAD_MAX_MS: int(0, 1_900, 1_500).describe('the longest lead: while the trip to the trigger is slow (a saturated machine), due timers leave up to this long before fire_at'),
    POLLER_PUBLISH_WINDOW_MS: int(0, 1_000, 100).describe('timers due within this long after the next one are published with it, in one message'),
    POLLER_LEASE_MS: int(1_000, 3_600_000, 30_000).describe('how long a claim lasts before another poller may take the row'),
    POLLER_CLAIM_LIMIT: int(1, 100_000, 5_000).describe('rows claimed per query'),
    TRIGGER_PREFETCH: int(1, 65_535, 1_000).describe('timers_to_fire messages a trigger holds at once (each one due timer or a batch of up to 100)'),
    WEBHOOK_TIMEOUT_MS: int(100, 300_000, 10_000).describe('timeout of one webhook request'),
    SCHEDULE_MISSED_AFTER_MS: int(1_000, 86_400_000, 60_000).describe("a schedule's run claimed later than this after its instant was missed: the schedule's catch_up decides whether it fires"),
    WEBHOOK_MAX_SOCKETS_PER_HOST: int(1, 10_000, 256).describe('keep-alive connections per callback host'),
    WEBHOOK_MAX_ATTEMPTS: int(1, 50, 5).describe('delivery attempts of a timer before it is failed (a timer may set max_attempts)'),
    WEBHOOK_RETRY_BACKOFF_MS: int(100, 86_400_000, 10_000).describe('ceiling of the first retry delay; doubles per retry, drawn with full jitter'),
    WEBHOOK_RETRY_MAX_BACKOFF_MS: int(1_000, 86_400_000, 3_600_000).describe('longest wait between two attempts, Retry-After included'),
    WEBHOOK_HOST_CONCURRENCY: int(1, 10_000, 256).describe('webhooks in flight to one callback host, for the whole deployment: each trigger takes an even share among the triggers alive'),
    WEBHOOK_HOST_RATE_PER_S: int(0, 1_000_000, 0).describe('webhooks started per second to one host, for the whole deployment (each trigger takes an even share); 0: no limit'),
    WEBHOOK_HOST_STALL_MS: int(1, 600_000, 1_000).describe('a host with every slot taken that has neither answered nor been sent a request for this long is stalled: its further timers are deferred'),
    WEBHOOK_ALLOWED_CIDRS: commaList()
      .pipe(z.array(z.string().refine(isCidr, 'must be CIDRs like 10.1.0.0/16 or fd00::/8, comma-separated')))
      .default([])
      .describe('address ranges callbacks may reach although private, loopback or link-local (refused by default)'),
    WEBHOOK_SIGNING_SECRETS: commaList()
      .pipe(z.array(z.string().refine(isSigningSecret, 'must be whsec_<base64 of 24 to 64 random bytes>, comma-separated')).max(4, 'at most 4 secrets'))
      .default([])
      .describe('Standard Webhooks signing secrets (whsec_...); two during a rotation; none: webhooks are sent unsigned'),
    METRICS_PORT: int(0, 65535, 0).describe("port of a process's own Prometheus /metrics endpoint; 0: none (a webserver serves /metrics on PORT as well)"),
    SHUTDOWN_TIMEOUT_MS: int(100, 120_000, 10_000).describe('drain deadline after SIGTERM'),
    // The access-log client simulator (npm run simulate) and background exporter (npm run export).
    API_URL: z
      .url({ protocol: /^https?$/ })
      .default('http://127.0.0.1:8080')
      .describe('the API the simulator and the exporter talk to'),
    THREADS: int(1, 1_000, 4).describe('simulator workers'),
    REQUESTS_DELAY: int(0, 600_000, 100).describe('a simulator worker waits a random 0..REQUESTS_DELAY ms between requests'),
    SIMULATE_REQUESTS: int(0, 1_000_000_000, 0).describe('stop the simulator after this many requests in all; 0: no limit'),
    SIMULATE_DURATION_S: int(0, 31_536_000, 0).describe('stop the simulator after this many seconds; 0: no limit'),
    SIMULATE_OUTPUT_DIR: z.string().min(1).default('simulator-output').describe('folder of the per-worker <id>.log files'),
    TARGET_FILE: z.string().min(1).default('exported-logs.jsonl').describe('the file exporters append records to'),
    EXPORT_INTERVAL_MS: int(10, 3_600_000, 1_000).describe('pause between two exports of one exporter'),
    EXPORT_PAGE_LIMIT: int(1, 10_000, 1_000).describe('records an exporter asks for per request'),
    EXPORT_LOCK_STALE_MS: int(2_000, 600_000, 10_000).describe('a lock on TARGET_FILE not refreshed for this long belongs to a dead exporter'),
    // Background tasks: docs/configuration.md, the TASK_* rows
    TASK_WORKER_PREFETCH: int(1, 10_000, 32).describe('tasks a worker runs at once (unacked tasks messages it holds)'),
    TASK_DEFAULT_TIMEOUT_S: int(1, 86_400, 60).describe('per-task timeout when the submit gives no timeout_s'),
    TASK_DEFAULT_MAX_ATTEMPTS: int(1, 100, 3).describe('deliveries a task may start when the submit gives no max_attempts'),
    TASK_RETRY_BASE_MS: int(10, 3_600_000, 1_000).describe('backoff before the first retry of a failed task; doubles per attempt, with jitter'),
    TASK_PAUSE_REFRESH_MS: int(100, 60_000, 1_000).describe('how often a worker reads the paused task types and releases the held tasks of resumed ones'),
    // nginx's proxy_read_timeout (30 s, load-balancers/webserver/locations.conf) must stay above it.
    TASK_MAX_WAIT_S: int(0, 25, 25).describe('longest ?wait= on POST /tasks, and how long POST /sync/sum waits'),
    SUM_MAX_NUMBERS: int(1, 1_000_000, 10_000).describe('largest list POST /sync/sum and /async/post_task accept'),
    TASK_TESTING_TYPES: z.stringbool().default(false).describe('also register the task types the tests use (sleep, crash, flaky, fail)'),
    RANDOM_USER_PORT: int(0, 65535, 8001).describe('HTTP port of a random-user service process'),
    RANDOM_USER_API_URL: z
      .url({ protocol: /^https?$/ })
      .default('https://randomuser.me/api/')
      .describe('upstream random-user API the random-user service calls'),
    RANDOM_USER_TIMEOUT_MS: int(100, 60_000, 5_000).describe('timeout of one call to the upstream random-user API'),
    RANDOM_USER_SERVICE_URL: z
      .url({ protocol: /^https?$/ })
      .default('http://127.0.0.1:8001/')
      .describe('the random-user service, as parse tasks on a worker reach it'),
    // Users, tokens and the registration mail: docs/configuration.md#users-tokens-and-mail
    JWT_SECRET_KEY: z.string().optional().describe('HMAC key of access tokens, at least 32 bytes, the same on every webserver; required in production (elsewhere a fixed, public development key)'),
    JWT_ALGORITHM: z.enum(JWT_ALGORITHMS).default('HS256').describe('signature algorithm of access tokens: HS256, HS384 or HS512'),
    DEFAULT_EXP_DELTA_MIN: int(1, 525_600, 60).describe('lifetime of an access token in minutes'),
    AUTH_REQUIRED: z.stringbool().default(false).describe('every API route needs a bearer token (not /health, /ready, /openapi.json, POST /users, POST /token)'),
    ADMIN_EMAILS: commaList((item) => item.toLowerCase())
      .pipe(z.array(z.email('must be email addresses, comma-separated')))
      .default([])
      .describe('comma-separated emails that get the admin role when they register'),
    // Login throttling and client addresses: docs/configuration.md#logins-and-client-addresses
    TRUSTED_PROXIES: commaList()
      .pipe(z.array(z.string().refine((item) => PROXY_RANGE_NAMES.includes(item) || isIP(item) !== 0 || isCidr(item), 'must be loopback, linklocal, uniquelocal, addresses or CIDRs, comma-separated')))
      .default(['loopback'])
      .describe('the proxies (nginx) whose X-Forwarded-For a webserver believes: loopback, linklocal, uniquelocal, addresses or CIDRs; a client address comes from the header only through them'),
    LOGIN_BACKOFF_BASE_MS: int(100, 60_000, 1_000).describe('first delay of a throttled login; doubles with each further failure'),
    LOGIN_ACCOUNT_FREE_FAILURES: int(1, 1_000, 5).describe('failed logins of one email (from any address) before its logins wait'),
    LOGIN_ACCOUNT_MAX_DELAY_S: int(1, 3_600, 30).describe('ceiling of the wait of one email: the longest an attacker can keep its owner out per failure'),
    LOGIN_ADDRESS_FREE_FAILURES: int(1, 100_000, 10).describe('failed logins from one client address (an IPv6 /64), for any emails, before its logins wait'),
    LOGIN_ADDRESS_MAX_DELAY_S: int(1, 86_400, 300).describe('ceiling of the wait of one client address'),
    LOGIN_FAILURES_FORGET_S: int(60, 604_800, 3_600).describe('failed logins are forgotten this long after the last one (at least both ceilings)'),
    PASSWORD_HASH_CONCURRENCY: int(1, 64, 2).describe("scrypt hashes (logins, registrations, password changes) a webserver computes at once, on libuv's threadpool of 4"),
    PASSWORD_HASH_QUEUE: int(0, 10_000, 16).describe('requests waiting for a hash slot; more get 503 overloaded with Retry-After'),
    SMTP_HOST: z.string().min(1).default('127.0.0.1').describe('SMTP server of the registration mail'),
    SMTP_PORT: int(1, 65535, 1025).describe('its port (npm run stack starts a local mail sink and sets it)'),
    SMTP_SECURE: z.stringbool().default(false).describe('implicit TLS from the start (port 465); otherwise STARTTLS when the server offers it'),
    SMTP_USER: z.string().optional().describe('SMTP login; none: no authentication'),
    SMTP_PASSWORD: z.string().optional().describe('SMTP password (with SMTP_USER)'),
    SMTP_FROM: z.string().min(3).default('Timer service <no-reply@timer-service.local>').describe('sender of the registration mail'),
    SMTP_TIMEOUT_MS: int(100, 300_000, 10_000).describe('connection and command timeout of one SMTP attempt'),
    REGISTRATION_MAIL_MAX_ATTEMPTS: int(1, 100, 10).describe('attempts of a send_registration_email task before it ends failed'),
    // Retention (docs/configuration.md, "Retention"): how long what has finished is kept. Pending timers and
    // tasks are never removed; a timer's or task's own retention_s takes the place of its outcome's default.
    RETENTION_DELIVERED_S: int(60, 31_622_400, 604_800).describe('seconds a delivered timer is kept after its delivery (7 days)'),
    RETENTION_CANCELLED_S: int(60, 31_622_400, 604_800).describe('seconds a cancelled or skipped timer, and a cancelled task, is kept after it ended (7 days)'),
    RETENTION_FAILED_S: int(60, 31_622_400, 2_592_000).describe('seconds a failed timer or task (the dead-letter list) is kept after it failed (30 days)'),
    RETENTION_SUCCEEDED_S: int(60, 31_622_400, 604_800).describe('seconds a succeeded task and its result are kept after it finished (7 days)'),
    RETENTION_LOG_RECORDS_S: int(3_600, 31_622_400, 2_592_000).describe('seconds an access-log record is kept (30 days)'),
    RETENTION_MIN_S: int(60, 31_622_400, 60).describe('the least retention_s a timer, task or schedule may ask for'),
    RETENTION_MAX_S: int(60, 31_622_400, 31_622_400).describe('the most retention_s a timer, task or schedule may ask for (366 days)'),
    RETENTION_SWEEP_INTERVAL_MS: int(0, 86_400_000, 60_000).describe('how often the retention process makes partitions ahead and removes what expired; 0: it removes nothing'),
    RETENTION_PARTITIONS_AHEAD_DAYS: int(1, 60, 3).describe('day partitions made ahead of today'),
    RETENTION_ARCHIVE_DIR: z.string().default('').describe('a directory the retention process writes what it removes to, as gzip JSON lines; empty: no archive'),
    // The /dashboard monitoring page (docs/dashboard.md)
    HEARTBEAT_INTERVAL_MS: int(100, 600_000, 5_000).describe('how often each process writes its heartbeat row; the dashboard counts it alive for 3 intervals'),
    DASHBOARD_OPEN: z.stringbool().default(false).describe("the /dashboard data (every owner's timers and tasks) without a token; otherwise an admin's bearer token is needed"),
    RABBITMQ_MANAGEMENT_URL: z
      .url({ protocol: /^https?$/ })
      .default('http://localhost:15672/')
      .describe('the RabbitMQ management UI the dashboard links to'),
  })
  .refine((c) => c.POLLER_PUBLISH_AHEAD_MS <= c.POLLER_LOOKAHEAD_MS, {
    message: 'must not exceed POLLER_LOOKAHEAD_MS',
    path: ['POLLER_PUBLISH_AHEAD_MS'],
  })
  .refine((c) => c.WEBHOOK_RETRY_MAX_BACKOFF_MS >= c.WEBHOOK_RETRY_BACKOFF_MS, {
    message: 'must be at least WEBHOOK_RETRY_BACKOFF_MS',
    path: ['WEBHOOK_RETRY_MAX_BACKOFF_MS'],
  })
  .refine((c) => c.JWT_SECRET_KEY === undefined || Buffer.byteLength(c.JWT_SECRET_KEY) >= MIN_JWT_SECRET_BYTES, {
    message: `must be at least ${MIN_JWT_SECRET_BYTES} bytes`,
    path: ['JWT_SECRET_KEY'],
  })
  .refine((c) => c.HTTP_REQUEST_TIMEOUT_MS >= c.HTTP_HEADERS_TIMEOUT_MS, {
    // Node refuses a header deadline past the request's own.
    message: 'must be at least HTTP_HEADERS_TIMEOUT_MS',
    path: ['HTTP_REQUEST_TIMEOUT_MS'],
  })
  .refine((c) => c.LOGIN_FAILURES_FORGET_S >= Math.max(c.LOGIN_ACCOUNT_MAX_DELAY_S, c.LOGIN_ADDRESS_MAX_DELAY_S), {
    // Forgotten sooner than the longest delay, an attacker that waits the delay out would start afresh.
    message: 'must be at least LOGIN_ACCOUNT_MAX_DELAY_S and LOGIN_ADDRESS_MAX_DELAY_S',
    path: ['LOGIN_FAILURES_FORGET_S'],
  })
  .refine((c) => c.RETENTION_MAX_S >= c.RETENTION_MIN_S, {
    message: 'must be at least RETENTION_MIN_S',
    path: ['RETENTION_MAX_S'],
  })
  .refine((c) => c.POLLER_LEASE_MS >= c.POLLER_LOOKAHEAD_MS + 1_000, {
    // A lease shorter than the window would expire while its poller still holds the row in memory.
    message: 'must be at least POLLER_LOOKAHEAD_MS + 1000',
    path: ['POLLER_LEASE_MS'],
  });

type ParsedConfig = z.infer<typeof configSchema>;
export type Config = Readonly<
  Omit<ParsedConfig, 'SHARD_DB_URLS' | 'WEBHOOK_ALLOWED_CIDRS' | 'WEBHOOK_SIGNING_SECRETS' | 'ADMIN_EMAILS' | 'TRUSTED_PROXIES'> & {
    SHARD_DB_URLS: readonly string[];
    WEBHOOK_ALLOWED_CIDRS: readonly string[];
    WEBHOOK_SIGNING_SECRETS: readonly string[];
    ADMIN_EMAILS: readonly string[];
    TRUSTED_PROXIES: readonly string[];
  }
>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PORT=` in an env file) means "not set": its default applies, never a coerced 0.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = configSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  Object.freeze(parsed.data.SHARD_DB_URLS);
  Object.freeze(parsed.data.WEBHOOK_ALLOWED_CIDRS);
  Object.freeze(parsed.data.WEBHOOK_SIGNING_SECRETS);
  Object.freeze(parsed.data.ADMIN_EMAILS);
  Object.freeze(parsed.data.TRUSTED_PROXIES);
  return Object.freeze(parsed.data);
}

/**
 * The key access tokens are signed with: JWT_SECRET_KEY, or the development key when it is unset
 * outside production. In production a missing key, or the development one, stops the process (the
 * webserver's: the only one that signs or verifies tokens) with a ConfigError naming the variable.
 */
export function jwtSecret(config: Pick<Config, 'JWT_SECRET_KEY' | 'NODE_ENV'>): string {
  if (config.NODE_ENV === 'production' && (config.JWT_SECRET_KEY === undefined || config.JWT_SECRET_KEY === DEV_JWT_SECRET)) {
    throw new ConfigError(`invalid configuration:\n  JWT_SECRET_KEY: must be set to a secret of at least ${MIN_JWT_SECRET_BYTES} bytes in production (e.g. openssl rand -base64 48)`);
  }
  return config.JWT_SECRET_KEY ?? DEV_JWT_SECRET;
}
