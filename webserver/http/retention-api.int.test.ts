// Integration: retention in the API, with the webserver's app on real RabbitMQ and PostgreSQL. A timer,
// a batch item, a task and a schedule ask for their own retention_s, held to the configured bounds (here
// narrower than the widest, 1 h .. 10 d); what is accepted is stored (the consumer's insert of what was
// published) and shown with expires_at; a schedule's run keeps it. A per-id route answers 410 expired
// for a missing id issued before what retention may have removed, 404 for any other.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { AmqpClient } from '../../common/broker/amqp.js';
import { decodeMessage } from '../../common/messages/decode.js';
import { incomingTimersMessage, timersOf, type IncomingTimer } from '../../common/messages/timer-message.js';
import { insertTimers } from '../../common/store/timers.js';
import { noteRemoved } from '../../common/store/retention-removals.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { connectTestBroker, deleteTopology, takeAll } from '../../test/helpers/broker.js';
import { AppServers } from '../../test/helpers/app-servers.js';
import { testTaskDeps } from '../../test/helpers/task-worker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { createApp } from '../app.js';
import { TaskReplies } from '../tasks/task-replies.js';
import { timerAnswer } from '../openapi/openapi-timer.js';
import { taskAnswer } from '../openapi/openapi-tasks.js';
import { scheduleAnswer } from '../openapi/openapi.js';

const HOUR_S = 3_600;
const BOUNDS = { minS: HOUR_S, maxS: 10 * 24 * HOUR_S };
const HOOK = 'http://127.0.0.1:9/hook';

const log = silentLogger();
const servers = new AppServers();
let dbs: TestDatabases;
let amqp: AmqpClient;
let base: string;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  amqp = await connectTestBroker();
  const tasks = testTaskDeps({ amqp, mainDb: dbs.main, replies: new TaskReplies(dbs.main, log) });
  const dashboard = { open: true, heartbeatIntervalMs: 5_000, rabbitmqManagementUrl: 'http://127.0.0.1:15672/' };
  base = await servers.listen(createApp(appDeps({ amqp, mainDb: dbs.main, shards: dbs.shards, log, tasks, dashboard, retentionBounds: BOUNDS })));
});

afterAll(async () => {
  await servers.closeAll();
  await amqp.close();
  await deleteTopology(amqp.names);
  await dbs.drop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Stores what incoming_timers holds, as a consumer would; the timers it carried. */
async function consumeIncoming(): Promise<IncomingTimer[]> {
  const timers = (await takeAll(amqp.names.incomingTimers)).flatMap((body) => timersOf<IncomingTimer>(decodeMessage(incomingTimersMessage, body)));
  if (timers.length > 0) await insertTimers(dbs.main, timers);
  return timers;
}

const fieldsOf = (body: Record<string, unknown>) => (body.details as Array<{ field: string }>).map((d) => d.field);

describe('retention_s accepted, stored and shown', () => {
  it('a timer keeps its retention_s; expires_at is null while pending, its cancel instant plus retention_s once cancelled', async () => {
    const created = await call('POST', '/timer', { hours: 1, url: HOOK, retention_s: 2 * HOUR_S });
    expect(created.status).toBe(201);
    const [stored] = await consumeIncoming();
    expect(stored).toMatchObject({ id: created.body.id, retention_s: 2 * HOUR_S });
    const pending = await call('GET', `/timer/${String(created.body.id)}`);
    expect(timerAnswer.parse(pending.body)).toMatchObject({ retention_s: 2 * HOUR_S, expires_at: null });
    const before = Date.now();
    const cancelled = await call('DELETE', `/timer/${String(created.body.id)}`);
    const after = Date.now();
    expect(cancelled.body.state).toBe('cancelled');
    const expires = Date.parse(String(cancelled.body.expires_at));
    // The database's clock, to the second.
    expect(expires).toBeGreaterThanOrEqual(before + 2 * HOUR_S * 1000 - 1_000);
    expect(expires).toBeLessThanOrEqual(after + 2 * HOUR_S * 1000 + 1_000);
  });

  it('a timer without retention_s shows null: the default of its outcome', async () => {
    const created = await call('POST', '/timer', { hours: 1, url: HOOK });
    await consumeIncoming();
    expect((await call('GET', `/timer/${String(created.body.id)}`)).body).toMatchObject({ retention_s: null, expires_at: null });
  });

  it('each batch item keeps its own; an item out of bounds is refused alone, naming retention_s', async () => {
    const batch = await call('POST', '/timers', {
      timers: [
        { hours: 1, url: HOOK, retention_s: 3 * HOUR_S },
        { hours: 1, url: HOOK, retention_s: 11 * 24 * HOUR_S },
      ],
    });
    const results = batch.body.results as Array<Record<string, unknown>>;
    expect(results.map((r) => r.status)).toEqual([201, 422]);
    expect(fieldsOf(results[1]!)).toEqual(['retention_s']);
    expect(await consumeIncoming()).toEqual([expect.objectContaining({ id: results[0]!.id, retention_s: 3 * HOUR_S })]);
    const listed = await call('GET', '/timers?limit=10');
    expect((listed.body.timers as Array<Record<string, unknown>>).find((t) => t.id === results[0]!.id)).toMatchObject({ retention_s: 3 * HOUR_S, expires_at: null });
  });

  it('a task keeps its retention_s, in GET /tasks/{id} and in the list', async () => {
    const submitted = await call('POST', '/tasks', { type: 'noop', delay_seconds: 3_600, retention_s: 4 * HOUR_S });
    expect(submitted.status).toBe(202);
    await consumeIncoming();
    const task = await call('GET', `/tasks/${String(submitted.body.id)}`);
    expect(taskAnswer.parse(task.body)).toMatchObject({ retention_s: 4 * HOUR_S, expires_at: null });
    const listed = await call('GET', '/tasks');
    expect((listed.body.tasks as Array<Record<string, unknown>>).find((t) => t.id === submitted.body.id)).toMatchObject({ retention_s: 4 * HOUR_S });
    const cancelled = await call('POST', `/tasks/${String(submitted.body.id)}/cancel`);
    expect(Date.parse(String(cancelled.body.expires_at))).toBeGreaterThan(Date.now() + 4 * HOUR_S * 1000 - 60_000);
  });

  it('a schedule keeps its retention_s, each run keeps it, and a PATCH changes or clears it', async () => {
    const created = await call('POST', '/schedules', { every: '1h', url: HOOK, retention_s: 5 * HOUR_S });
    expect(created.status).toBe(201);
    expect(scheduleAnswer.parse(created.body).retention_s).toBe(5 * HOUR_S);
    const id = String(created.body.id);
    expect((await call('GET', `/schedules/${id}`)).body.retention_s).toBe(5 * HOUR_S);
    const run = await call('POST', `/schedules/${id}/run`);
    expect((await call('GET', `/timer/${String(run.body.timer_id)}`)).body).toMatchObject({ schedule_id: id, retention_s: 5 * HOUR_S });
    expect((await call('PATCH', `/schedules/${id}`, { retention_s: 6 * HOUR_S })).body.retention_s).toBe(6 * HOUR_S);
    expect((await call('PATCH', `/schedules/${id}`, { name: 'renamed' })).body.retention_s).toBe(6 * HOUR_S);
    expect((await call('PATCH', `/schedules/${id}`, { retention_s: null })).body.retention_s).toBeNull();
  });
});

describe('retention_s out of the configured bounds: 422 naming the field', () => {
  const refused = async (method: string, path: string, body: unknown) => {
    const answer = await call(method, path, body);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('validation_failed');
    expect(fieldsOf(answer.body)).toEqual(['retention_s']);
  };

  it('POST /timer: below RETENTION_MIN_S, above RETENTION_MAX_S, beyond any configuration, not whole, not a number', async () => {
    for (const retention_s of [HOUR_S - 1, BOUNDS.maxS + 1, 60, 10 ** 10, 7_200.5, '7200']) await refused('POST', '/timer', { hours: 1, url: HOOK, retention_s });
    expect(await consumeIncoming()).toEqual([]);
  });

  it('POST /tasks, POST /schedules and PATCH /schedules/{id}', async () => {
    await refused('POST', '/tasks', { type: 'noop', retention_s: 59 });
    await refused('POST', '/schedules', { every: '1h', url: HOOK, retention_s: BOUNDS.maxS + 1 });
    const created = await call('POST', '/schedules', { every: '1h', url: HOOK });
    await refused('PATCH', `/schedules/${String(created.body.id)}`, { retention_s: 120 });
    expect((await call('GET', `/schedules/${String(created.body.id)}`)).body.retention_s).toBeNull();
  });
});

describe('an id retention may have removed: 410 expired, else 404', () => {
  const issued = (ms: number) => uuidv7({ msecs: ms });
  const DAY = 86_400_000;

  it('before anything was removed, an old unknown id is a plain 404', async () => {
    expect((await call('GET', `/timer/${issued(Date.now() - 30 * DAY)}`)).status).toBe(404);
    expect((await call('GET', `/tasks/${issued(Date.now() - 30 * DAY)}`)).status).toBe(404);
  });

  it('each per-id route of timers and tasks answers 410 for a missing id issued before removed_before, 404 for a younger, a non-v7 or a stored one', async () => {
    const now = Date.now();
    await noteRemoved(dbs.main, 'timers', now - 7 * DAY);
    await noteRemoved(dbs.main, 'tasks', now - 14 * DAY);
    const oldTimer = issued(now - 8 * DAY);
    const oldTask = issued(now - 15 * DAY);
    const expired = { status: 410, body: expect.objectContaining({ error: 'expired', message: expect.stringContaining('retention') }) as unknown };
    for (const [method, path, body] of [
      ['GET', `/timer/${oldTimer}`],
      ['DELETE', `/timer/${oldTimer}`],
      ['PATCH', `/timer/${oldTimer}`, { hours: 1 }],
      ['POST', `/timer/${oldTimer}/replay`],
      ['GET', `/tasks/${oldTask}`],
      ['POST', `/tasks/${oldTask}/cancel`],
      ['POST', `/tasks/${oldTask}/retry`],
      ['GET', `/async/get_task_result?session_id=${oldTask}`],
      ['GET', `/dashboard/api/search?id=${oldTimer}`],
    ] as Array<[string, string, unknown?]>) {
      expect({ route: `${method} ${path}`, ...(await call(method, path, body)) }).toEqual({ route: `${method} ${path}`, ...expired });
    }
    // Younger than removed_before (a task id of 8 days is younger than the tasks' 14), not a UUIDv7, or the uppercase of a young one.
    for (const path of [`/timer/${issued(now - 6 * DAY)}`, `/tasks/${oldTimer}`, `/timer/${uuidv4()}`, `/tasks/${uuidv4()}`, `/timer/${issued(now - 2 * DAY).toUpperCase()}`]) {
      expect({ path, status: (await call('GET', path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('a timer issued before removed_before that is still stored is answered as it is', async () => {
    const id = issued(Date.now() - 10 * 86_400_000);
    await insertTimers(dbs.main, [{ id, url: HOOK, fire_at: Date.now() + 3_600_000, created_at: Date.now() - 10 * 86_400_000 }]);
    expect((await call('GET', `/timer/${id}`)).body).toMatchObject({ id, state: 'scheduled', expires_at: null });
  });
});
