// `npm run chaos`: the proof of "nothing lost". Starts its own RabbitMQ node and PostgreSQL cluster on
// spare ports, the whole stack on them (2+ replicas of every process, 2+ shards), streams timers at a
// steady rate with due times spread over the run, and meanwhile kills random processes of every kind
// (the launcher restarts them), restarts RabbitMQ and PostgreSQL once each, and has the callback
// receiver fail a share of requests with 500s and timeouts. Then it waits for every accepted timer to
// reach a final state and prints accepted, delivered, lost, duplicates, stuck and lateness; it exits 1
// on any lost or stuck timer.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startStack, type Stack } from '../launcher/stack.js';
import { ApiClient } from '../bench/load/api-client.js';
import { paced } from '../bench/load/paced.js';
import { freePort } from '../launcher/free-port.js';
import { RabbitNode } from './rabbitmq-node.js';
import { PostgresCluster } from './postgres-cluster.js';
import { FlakyReceiver } from './flaky-receiver.js';
import { faultPlan, type Fault } from './fault-plan.js';
import { chaosOutcome, type ChaosOutcome } from './outcome.js';

const HELP = `usage: npm run chaos -- [options]
  --quick            the short form CI runs: 1,500 timers at 50/s (about 2 minutes in all)
  --timers N         timers to create (default 100000)
  --rate N           timers created per second (default 250)
  --spread S         each timer is due 0..S seconds after its creation (default 20)
  --replicas N       replicas of every process (default 2, at least 2)
  --shards N         timer-db shards (default 2, at least 2)
  --kill-every S     seconds between two kill -9 (default 5)
  --fail-share F     share of webhooks answered 500 (default 0.05)
  --hang-share F     share of webhooks left hanging past the timeout (default 0.02)
  --drain S          seconds to wait, after the last due time, for every timer to be final (default 180)`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    timers: { type: 'string' },
    rate: { type: 'string' },
    spread: { type: 'string' },
    replicas: { type: 'string', default: '2' },
    shards: { type: 'string', default: '2' },
    'kill-every': { type: 'string' },
    'fail-share': { type: 'string', default: '0.05' },
    'hang-share': { type: 'string', default: '0.02' },
    drain: { type: 'string', default: '180' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const number = (flag: string, value: string | undefined, fallback: number, min: number): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${flag} must be a number >= ${min}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
};

const settings = {
  timers: number('timers', values.timers, values.quick ? 1_500 : 100_000, 1),
  rate: number('rate', values.rate, values.quick ? 50 : 250, 1),
  spreadS: number('spread', values.spread, values.quick ? 10 : 20, 0),
  replicas: number('replicas', values.replicas, 2, 2),
  shards: number('shards', values.shards, 2, 2),
  killEveryMs: number('kill-every', values['kill-every'], values.quick ? 3 : 5, 0.5) * 1000,
  failShare: number('fail-share', values['fail-share'], 0.05, 0),
  hangShare: number('hang-share', values['hang-share'], 0.02, 0),
  drainMs: number('drain', values.drain, 180, 1) * 1000,
};

const WEBHOOK_TIMEOUT_MS = 2_000;
const log = (message: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function finalStates(mainDbUrl: string, ids: string[]): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: mainDbUrl });
  await client.connect();
  try {
    const result = await client.query<{ id: string; state: string }>('SELECT id, state FROM timers WHERE id = ANY($1::uuid[])', [ids]);
    return new Map(result.rows.map((row) => [row.id, row.state]));
  } finally {
    await client.end();
  }
}

async function inject(fault: Fault, stack: Stack, rabbit: RabbitNode, postgres: PostgresCluster): Promise<void> {
  if (fault.action === 'kill') {
    const process_ = stack.of(fault.kind)[fault.replica];
    // A signal sent past the launcher: to it this is a crash, and it restarts the process.
    if (process_?.pid) process.kill(process_.pid, 'SIGKILL');
    log(`kill -9 ${fault.kind}-${fault.replica + 1}`);
  } else if (fault.action === 'restart-broker') {
    log('restarting RabbitMQ ...');
    await rabbit.restart();
    log('RabbitMQ is back');
  } else {
    log('restarting PostgreSQL ...');
    await postgres.restart();
    log('PostgreSQL is back');
  }
}

function print(outcome: ChaosOutcome, refused: number): void {
  const l = (s: ChaosOutcome['firstAttemptLatenessMs']) => `p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} / max ${s.max} ms`;
  console.log(`
chaos run: ${settings.timers} timers at ${settings.rate}/s, due 0-${settings.spreadS} s later; ${settings.replicas} replicas, ${settings.shards} shards
  accepted (201)        ${outcome.accepted}   (refused while things broke: ${refused})
  delivered (2xx)       ${outcome.delivered}
  failed (final)        ${outcome.failed}
  lost                  ${outcome.lost}
  stuck (not final)     ${outcome.stuck}
  duplicate deliveries  ${outcome.duplicates}
  lateness, first try   ${l(outcome.firstAttemptLatenessMs)}
  lateness, delivered   ${l(outcome.deliveredLatenessMs)}   (includes retries after injected failures)`);
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), `timer-chaos-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rabbit = new RabbitNode(join(dir, 'rabbitmq'), await freePort(), `timer_chaos_${process.pid}`);
  const postgres = new PostgresCluster(join(dir, 'postgres'), await freePort());
  const receiver = new FlakyReceiver({ failShare: settings.failShare, hangShare: settings.hangShare, hangMs: WEBHOOK_TIMEOUT_MS * 2 });
  let stack: Stack | null = null;
  try {
    log(`starting RabbitMQ node ${rabbit.nodeName} on port ${rabbit.port} and PostgreSQL on port ${postgres.port} in ${dir} ...`);
    await Promise.all([rabbit.start(), postgres.start()]);
    const hook = await receiver.listen();
    const port = await freePort();
    stack = await startStack({
      replicas: { webserver: settings.replicas, consumer: settings.replicas, timer: settings.replicas, trigger: settings.replicas },
      shards: settings.shards,
      port,
      webserverBasePort: 0,
      webserverPorts: await Promise.all(Array.from({ length: settings.replicas }, () => freePort())),
      name: 'chaos',
      queuePrefix: '',
      amqpUrl: rabbit.url,
      postgresUrl: postgres.url,
      runDir: join(dir, 'stack'),
      autoRestart: true,
      env: {
        LOG_LEVEL: 'warn',
        WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
        WEBHOOK_RETRY_BACKOFF_MS: '500',
        WEBHOOK_RETRY_MAX_BACKOFF_MS: '5000',
        WEBHOOK_MAX_ATTEMPTS: '10',
        POLLER_LEASE_MS: '5000',
      },
    });
    log(`stack up on ${stack.url}; logs in ${join(dir, 'stack', 'logs')}`);

    const client = new ApiClient(stack.url, 64);
    const accepted = new Map<string, number>();
    const durationMs = (settings.timers / settings.rate) * 1000;
    const plan = faultPlan(durationMs, settings.killEveryMs, settings.replicas, Math.random);
    const started = Date.now();
    // Each fault at its own instant: a broker restart in progress does not hold back the kills.
    const faults = Promise.all(
      plan.map(async (fault) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + fault.atMs - Date.now())));
        await inject(fault, stack!, rabbit, postgres).catch((err: Error) => log(`fault ${fault.action} failed: ${err.message}`));
      }),
    );
    const progress = setInterval(() => log(`${accepted.size} accepted, ${receiver.records.size} seen by the receiver`), 5_000);
    // Why a POST was not accepted: its status, or the network error.
    const refusals = new Map<string, number>();
    const refused = (reason: string) => refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
    const load = await paced({
      rate: settings.rate,
      count: settings.timers,
      op: async (i) => {
        const answer = await client.createOrStatus(Math.floor(Math.random() * (settings.spreadS + 1)), `${hook}/chaos/${i}`).catch((err: Error & { code?: string }) => err.code ?? err.message);
        if (typeof answer === 'object') accepted.set(answer.id, answer.fireAt);
        else refused(String(answer));
        return typeof answer === 'object';
      },
    });
    await faults;
    log(`load done: ${load.ok} accepted, ${load.failed} refused; waiting for every timer to be final ...`);

    const ids = [...accepted.keys()];
    const lastDue = Math.max(...accepted.values());
    const deadline = Math.max(Date.now(), lastDue) + settings.drainMs;
    let states = await finalStates(stack.env.MAIN_DB_URL!, ids);
    let outcome = chaosOutcome(accepted, receiver.records, states);
    while ((outcome.stuck > 0 || outcome.lost > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      states = await finalStates(stack.env.MAIN_DB_URL!, ids);
      outcome = chaosOutcome(accepted, receiver.records, states);
    }
    clearInterval(progress);
    await client.close();
    print(outcome, load.failed);
    console.log(`  refusals by reason    ${[...refusals].map(([reason, n]) => `${reason}: ${n}`).join(', ') || 'none'}`);
    const resultsDir = join(process.cwd(), 'chaos', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ settings, refused: load.failed, refusals: Object.fromEntries(refusals), ...outcome, lostIds: outcome.lostIds.slice(0, 100), stuckIds: outcome.stuckIds.slice(0, 100) }, null, 2));
    if (outcome.lost > 0 || outcome.stuck > 0) {
      console.log(`FAILED: ${outcome.lost} lost, ${outcome.stuck} stuck (ids in chaos/results/latest.json; logs kept in ${dir})`);
      process.exitCode = 1;
    } else {
      console.log('PASSED: nothing lost, nothing stuck');
    }
  } finally {
    await stack?.stop();
    await receiver.close();
    await Promise.all([rabbit.destroy(), postgres.destroy()]);
    // The stack's logs are kept when the run failed.
    if (process.exitCode !== 1) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
