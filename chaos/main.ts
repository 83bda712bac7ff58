// `npm run chaos`: the proof of "nothing lost". Starts its own RabbitMQ node and PostgreSQL cluster on
// spare ports, the whole stack on them (2+ replicas of every process, 2+ shards), streams timers at a
// steady rate with due times spread over the run, and meanwhile kills random processes of every kind
// (the launcher restarts them), restarts RabbitMQ and PostgreSQL once each, and has the callback
// receiver fail a share of requests with 500s and timeouts. Then it waits for every accepted timer to
// reach a final state and prints accepted, delivered, lost, duplicates, stuck and lateness. It exits 1
// on any lost or stuck timer, and also when the run proved nothing: a planned fault that did not happen
// (each is recorded as it is injected), a process kind never killed, a receiver that failed no webhook,
// or too few timers accepted (chaos/verdict.ts).
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
import { chaosVerdict, describeFault, type FaultResult } from './verdict.js';

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
  --drain S          seconds to wait, after the last due time, for every timer to be final (default 180)
  --min-accepted F   least share of the timers that must be accepted for the run to count (default 0.1)`;

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
    'min-accepted': { type: 'string', default: '0.1' },
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
  minAcceptedShare: number('min-accepted', values['min-accepted'], 0.1, 0),
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

/** Injects one fault; resolves with what was done once it has taken effect, rejects when it could not be. */
async function inject(fault: Fault, stack: Stack, rabbit: RabbitNode, postgres: PostgresCluster): Promise<string> {
  if (fault.action === 'kill') return killOne(fault.kind, fault.replica, stack);
  const began = Date.now();
  if (fault.action === 'restart-broker') {
    log('restarting RabbitMQ ...');
    await rabbit.restart();
    log('RabbitMQ is back');
    return `RabbitMQ stopped and started again in ${((Date.now() - began) / 1000).toFixed(1)} s`;
  }
  log('restarting PostgreSQL ...');
  await postgres.restart();
  log('PostgreSQL is back');
  return `PostgreSQL restarted in ${((Date.now() - began) / 1000).toFixed(1)} s`;
}

/**
 * kill -9 of the planned replica of a kind, or of another of its kind when that one is still being
 * restarted after an earlier kill; resolves once the process has ended by that signal.
 */
async function killOne(kind: Extract<Fault, { action: 'kill' }>['kind'], planned: number, stack: Stack): Promise<string> {
  const replicas = stack.of(kind);
  const index = [planned, ...replicas.keys()].find((i) => replicas[i]?.pid !== undefined);
  if (index === undefined) throw new Error(`no ${kind} was running`);
  const target = replicas[index]!;
  const pid = target.pid!;
  const ended = target.exit;
  // A signal sent past the launcher: to it this is a crash, and it restarts the process.
  process.kill(pid, 'SIGKILL');
  const status = await ended;
  if (status.signal !== 'SIGKILL') throw new Error(`${kind}-${index + 1} (pid ${pid}) ended otherwise (code ${status.code}, signal ${status.signal})`);
  log(`kill -9 ${kind}-${index + 1}`);
  return `${kind}-${index + 1} (pid ${pid}) ended by SIGKILL`;
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
    // What became of each planned fault, recorded as it happens: the verdict needs every one injected.
    const results: Array<FaultResult | undefined> = plan.map(() => undefined);
    const started = Date.now();
    // Each fault at its own instant: a broker restart in progress does not hold back the kills.
    const faults = Promise.all(
      plan.map(async (fault, i) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + fault.atMs - Date.now())));
        const at = Date.now() - started;
        try {
          results[i] = { injected: true, at, detail: await inject(fault, stack!, rabbit, postgres) };
        } catch (err) {
          results[i] = { injected: false, at, reason: (err as Error).message };
          log(`${describeFault(fault)} was not injected: ${(err as Error).message}`);
        }
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
    const lastDue = [...accepted.values()].reduce((latest, fireAt) => Math.max(latest, fireAt), 0);
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
    const kills = plan.filter((fault, i) => fault.action === 'kill' && results[i]?.injected).length;
    const restarts = plan.flatMap((fault, i) => (fault.action !== 'kill' && results[i]?.injected ? [results[i].detail] : []));
    console.log(
      `  faults injected       ${kills} of ${plan.filter((f) => f.action === 'kill').length} kill -9; ${restarts.join('; ') || 'no restart'}; webhooks answered 500: ${receiver.injected.failed}, left hanging: ${receiver.injected.hung}`,
    );
    const problems = chaosVerdict({
      plan,
      results,
      receiver: { failShare: settings.failShare, hangShare: settings.hangShare, ...receiver.injected },
      timers: settings.timers,
      accepted: outcome.accepted,
      minAcceptedShare: settings.minAcceptedShare,
      lost: outcome.lost,
      stuck: outcome.stuck,
    });
    const resultsDir = join(process.cwd(), 'chaos', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const faultLog = plan.map((fault, i) => ({ fault: describeFault(fault), ...(results[i] ?? { injected: false, reason: 'never attempted' }) }));
    writeFileSync(
      join(resultsDir, 'latest.json'),
      JSON.stringify(
        {
          settings,
          problems,
          refused: load.failed,
          refusals: Object.fromEntries(refusals),
          faults: faultLog,
          receiverFaults: receiver.injected,
          ...outcome,
          lostIds: outcome.lostIds.slice(0, 100),
          stuckIds: outcome.stuckIds.slice(0, 100),
        },
        null,
        2,
      ),
    );
    if (problems.length > 0) {
      for (const problem of problems) console.log(`FAILED: ${problem}`);
      console.log(`(faults, lost and stuck ids in chaos/results/latest.json; logs kept in ${dir})`);
      process.exitCode = 1;
    } else {
      console.log('PASSED: every planned fault injected, nothing lost, nothing stuck');
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
