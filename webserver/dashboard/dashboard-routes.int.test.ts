// Integration: the dashboard's data on real PostgreSQL and RabbitMQ: counts, queues, processes alive,
// the running triggers' lateness, recent and failed timers and tasks with their attempts, search by id,
// a count that runs out of time, the cache, the 503s naming the dependency, and who may read it.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames, queueList } from '../../common/broker/queue-names.js';
import { createPool } from '../../common/db/pool.js';
import { insertTasks } from '../../common/store/tasks.js';
import { insertUser } from '../../common/store/users.js';
import { issueToken, type TokenSettings } from '../../common/auth/tokens.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { AMQP_URL, connectTestBroker, deleteTopology, testQueuePrefix } from '../../test/helpers/broker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { AppServers } from '../../test/helpers/app-servers.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { createApp } from '../app.js';
import { countByState } from '../../common/store/tasks.js';
import { dashboardSearchAnswer, dashboardSummary } from '../openapi/openapi-dashboard.js';
import { errorAnswer } from '../openapi/openapi.js';
import { createSchedule } from '../../common/schedules/chain.js';
import { insertSchedule } from '../../common/store/schedules.js';
import { scheduleSettings } from '../../test/helpers/schedule-settings.js';

jest.setTimeout(60_000);

const prefix = testQueuePrefix();
const log = silentLogger();
const tokens: TokenSettings = { secret: 'integration test secret, 32 bytes or more', algorithm: 'HS256', expiresInMin: 30 };
const dashboard = { open: true, heartbeatIntervalMs: 5_000, rabbitmqManagementUrl: 'http://rabbit.example:15672/' };
let dbs: TestDatabases;
let amqp: AmqpClient;
let clock = Date.now();
const servers = new AppServers();
let openBase: string;
let closedBase: string;
let adminToken: string;
let userToken: string;

const failedId = newTimerId();
const deliveredId = newTimerId();
const taskId = newTimerId();

async function insertTimer(id: string, state: string, attemptLog: unknown[] = []): Promise<void> {
  await dbs.main.query(`INSERT INTO timers (id, url, fire_at, created_at, state, attempts, attempt_log, max_attempts) VALUES ($1, $2, now(), now(), $3, $4, $5::jsonb, 2)`, [
    id,
    `https://example.com/${state}`,
    state,
    attemptLog.length,
    JSON.stringify(attemptLog),
  ]);
}

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker(prefix);
  const auth = { mainDb: dbs.main, tokens, required: false, adminEmails: ['admin@example.com'] };
  const app = (open: boolean) => createApp(appDeps({ amqp, mainDb: dbs.main, log, auth, now: () => clock, dashboard: { ...dashboard, open } }));
  openBase = await servers.listen(app(true));
  closedBase = await servers.listen(app(false));
  for (const [email, role] of [
    ['admin@example.com', 'admin'],
    ['user@example.com', 'user'],
  ] as const) {
    const user = await insertUser(dbs.main, { id: newTimerId(), email, name: null, passwordHash: 'x', role });
    if (user === 'taken') throw new Error('taken');
    const { access_token } = await issueToken(tokens, user.id);
    if (role === 'admin') adminToken = access_token;
    else userToken = access_token;
  }
  const attempt = (n: number, status: number | null, error: string | null) => ({ attempt: n, series: 1, started_at: new Date().toISOString(), duration_ms: 12, status, error });
  await insertTimer(failedId, 'failed', [attempt(1, 500, 'HTTP 500'), attempt(2, null, 'connect ECONNREFUSED')]);
  await insertTimer(deliveredId, 'delivered', [attempt(1, 200, null)]);
  await insertTimer(newTimerId(), 'scheduled');
  await insertTimer(newTimerId(), 'scheduled');
  await insertTasks(dbs.main, [{ id: taskId, type: 'sum', args: { numbers: [1] }, max_attempts: 3, timeout_ms: 1_000, run_at: Date.now(), created_at: Date.now() }]);
  await dbs.main.query(`UPDATE tasks SET state = 'failed', attempts = 3, error = 'boom', worker = 'host:1' WHERE id = $1`, [taskId]);
  const buckets = (first: number, all: number) =>
    JSON.stringify({
      lateness_buckets: [
        { le: '0.01', count: first },
        { le: '+Inf', count: all },
      ],
    });
  await dbs.main.query(
    `INSERT INTO process_heartbeats (process_id, type, hostname, pid, started_at, last_seen_at, stats) VALUES
       ('t1', 'trigger', 'h', 1, now(), now(), $1::jsonb),
       ('t2', 'trigger', 'h', 2, now(), now(), $2::jsonb),
       ('t3', 'trigger', 'h', 3, now(), now() - interval '10 minutes', $3::jsonb),
       ('w1', 'worker', 'h', 4, now(), now(), '{}')`,
    [buckets(2, 3), buckets(1, 1), buckets(50, 50)],
  );
});

afterAll(async () => {
  await servers.closeAll();
  await amqp.close();
  await deleteTopology(queueNames(prefix));
  await dbs.drop();
});

async function get(base: string, path: string, token?: string) {
  const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GET /dashboard/api/summary', () => {
  it("counts every state, lists each queue with its depth, the processes alive per type and the alive triggers' lateness", async () => {
    clock += 10_000;
    const { status, body } = await get(openBase, '/dashboard/api/summary');
    expect(status).toBe(200);
    const summary = dashboardSummary.parse(body);
    expect(summary.counts.timers).toEqual({ scheduled: 2, held: 0, firing: 0, retrying: 0, delivered: 1, failed: 1, cancelled: 0, skipped: 0 });
    expect(summary.counts.tasks).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 1, cancelled: 0, held: 0 });
    expect(summary.queues.map((q) => q.name)).toEqual(queueList(queueNames(prefix)));
    expect(summary.queues.map((q) => q.name)).toContain(`${prefix}timers_to_fire.dead`);
    expect(summary.queues.every((q) => q.messages === 0)).toBe(true);
    expect(summary.processes.by_type).toContainEqual({ type: 'trigger', alive: 2, gone: 1 });
    expect(summary.processes.by_type).toContainEqual({ type: 'worker', alive: 1, gone: 0 });
    expect(summary.processes.by_type).toContainEqual({ type: 'timer', alive: 0, gone: 0 });
    expect(summary.lateness.buckets).toEqual([
      { le: '0.01', count: 3 },
      { le: '+Inf', count: 4 },
    ]);
    expect(summary.rabbitmq_management_url).toBe('http://rabbit.example:15672/');
  });

  it('shows the schedules: how many are active and paused, each with its cadence, state, next instant and last run', async () => {
    const pausedId = newTimerId();
    const settings = scheduleSettings(clock, { name: 'nightly', cron: '30 2 * * *', every_ms: null, timezone: 'Europe/Berlin', url: 'http://127.0.0.1:9/nightly', paused: true });
    await createSchedule({ main: dbs.main, shards: dbs.shards }, pausedId, null, settings, clock);
    // A schedule whose last run was delivered (written as a trigger leaves it).
    const ranId = newTimerId();
    await insertSchedule(dbs.main, ranId, null, { ...settings, name: null, cron: null, every_ms: 60_000, timezone: 'UTC', paused: false }, new Date(clock + 1));
    await dbs.main.query(`UPDATE schedules SET next_instant = $2 WHERE id = $1`, [ranId, new Date(clock + 60_000)]);
    await dbs.main.query(
      `INSERT INTO timers (id, url, fire_at, created_at, state, attempts, last_status, schedule_id, schedule_instant) VALUES ($1, 'http://127.0.0.1:9/x', $2, $2, 'delivered', 1, 204, $3, $2)`,
      [newTimerId(), new Date(clock), ranId],
    );
    clock += 10_000;
    const summary = dashboardSummary.parse((await get(openBase, '/dashboard/api/summary')).body);
    expect(summary.schedules.counts).toEqual({ active: 1, paused: 1 });
    expect(summary.schedules.recent).toEqual([
      {
        id: ranId,
        name: null,
        cadence: 'every 60 s',
        timezone: 'UTC',
        state: 'active',
        next_instant: new Date(clock - 10_000 + 60_000).toISOString(),
        last_run: { state: 'delivered', last_status: 204, instant: new Date(clock - 10_000).toISOString() },
      },
      { id: pausedId, name: 'nightly', cadence: '30 2 * * *', timezone: 'Europe/Berlin', state: 'paused', next_instant: null, last_run: null },
    ]);
    // The other tests count the timers without this run.
    await dbs.main.query('DELETE FROM timers WHERE schedule_id = $1', [ranId]);
  });

  it('lists the recent and the failed timers and tasks with their attempts', async () => {
    clock += 10_000;
    const summary = dashboardSummary.parse((await get(openBase, '/dashboard/api/summary')).body);
    expect(summary.timers.recent).toHaveLength(4);
    expect(summary.timers.failed.map((t) => t.id)).toEqual([failedId]);
    expect(summary.timers.failed[0]!.attempt_history.map((a) => a.status)).toEqual([500, null]);
    expect(summary.tasks.failed).toEqual([expect.objectContaining({ id: taskId, attempts: 3, error: 'boom', worker: 'host:1' })]);
    expect(summary.tasks.recent.map((t) => t.id)).toEqual([taskId]);
  });

  it('is built once per second however often it is asked for', async () => {
    clock += 10_000;
    const before = dashboardSummary.parse((await get(openBase, '/dashboard/api/summary')).body);
    await insertTimer(newTimerId(), 'cancelled');
    clock += 500;
    const cached = dashboardSummary.parse((await get(openBase, '/dashboard/api/summary')).body);
    expect(cached).toEqual(before);
    clock += 500;
    const fresh = dashboardSummary.parse((await get(openBase, '/dashboard/api/summary')).body);
    expect(fresh.counts.timers!.cancelled).toBe(1);
  });

  it('a count that takes longer than its timeout is null ("too many to count"), not an error', async () => {
    const locker = await dbs.main.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
      expect(await countByState(dbs.main, 0, 100)).toBeNull();
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect(await countByState(dbs.main, 0, 100)).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 1, cancelled: 0, held: 0 });
  });

  it('answers 503 naming the broker, or the database, when it cannot be reached', async () => {
    const unstarted = new AmqpClient(AMQP_URL, queueNames(prefix), log);
    const noBroker = await servers.listen(createApp(appDeps({ amqp: unstarted, mainDb: dbs.main, log, dashboard })));
    const broker = await get(noBroker, '/dashboard/api/summary');
    expect(broker.status).toBe(503);
    expect(errorAnswer.parse(broker.body)).toMatchObject({ error: 'service_unavailable', dependency: 'broker' });
    const deadDb = createPool('postgres://postgres@127.0.0.1:1/nothing', 'timer-test', 1, log);
    const noDb = await servers.listen(createApp(appDeps({ amqp, mainDb: deadDb, log, dashboard })));
    const database = await get(noDb, '/dashboard/api/summary');
    expect(database.status).toBe(503);
    expect(database.body).toMatchObject({ dependency: 'database' });
    await deadDb.end();
  });
});

describe('GET /dashboard/api/search', () => {
  it('finds a timer with its attempt log, and a task', async () => {
    const timer = await get(openBase, `/dashboard/api/search?id=${failedId}`);
    expect(timer.status).toBe(200);
    const found = dashboardSearchAnswer.parse(timer.body);
    expect(found.kind === 'timer' && found.timer.attempt_history.map((a) => a.error)).toEqual(['HTTP 500', 'connect ECONNREFUSED']);
    const task = dashboardSearchAnswer.parse((await get(openBase, `/dashboard/api/search?id=${taskId.toUpperCase()}`)).body);
    expect(task).toMatchObject({ kind: 'task', task: { id: taskId, state: 'failed', worker: 'host:1' } });
  });

  it('answers 404 for an unknown id and 400 for one that is not a UUID', async () => {
    const unknown = await get(openBase, `/dashboard/api/search?id=${newTimerId()}`);
    expect(unknown.status).toBe(404);
    expect(errorAnswer.parse(unknown.body).error).toBe('not_found');
    const bad = await get(openBase, '/dashboard/api/search?id=nope');
    expect(bad.status).toBe(400);
    expect(errorAnswer.parse(bad.body).error).toBe('invalid_id');
  });
});

describe('without DASHBOARD_OPEN', () => {
  it('refuses a client without a token (401) and a user who is not an admin (403); an admin reads it', async () => {
    for (const path of ['/dashboard/api/summary', `/dashboard/api/search?id=${failedId}`]) {
      const anonymous = await get(closedBase, path);
      expect(anonymous.status).toBe(401);
      expect(errorAnswer.parse(anonymous.body).error).toBe('unauthorized');
      const user = await get(closedBase, path, userToken);
      expect(user.status).toBe(403);
      expect(errorAnswer.parse(user.body).error).toBe('forbidden');
      expect((await get(closedBase, path, adminToken)).status).toBe(200);
    }
  });

  it('still serves the page itself (its login form), with a Content-Security-Policy that allows no inline code', async () => {
    const res = await fetch(`${closedBase}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await res.text()).toContain('id="login-form"');
    const script = await fetch(`${closedBase}/dashboard/assets/dashboard.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const style = await fetch(`${closedBase}/dashboard/assets/dashboard.css`);
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${closedBase}/dashboard/assets/index.html`)).status).toBe(404);
  });
});
