// End to end through nginx: recurring schedules. Runs arrive once per instant with the schedule and
// instant in their headers; bad input is a 422 naming the field; pause, resume, edit, delete and run
// take effect; overlap 'skip' skips runs while one is still being delivered; and with two triggers, one
// killed with -9 mid-run, every instant still runs once and no run is created twice.
import { jest } from '@jest/globals';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { errorAnswer, scheduleAnswer, scheduleListAnswer, scheduleRunAnswer, timerListAnswer } from '../../webserver/openapi/openapi.js';
import type { Arrival } from '../helpers/webhook-receiver.js';

jest.setTimeout(180_000);

// A killed trigger's claims return after WEBHOOK_TIMEOUT_MS + 5 s.
const e2e = useStackWithReceiver({ env: { WEBHOOK_TIMEOUT_MS: '3000' }, replicas: { worker: 1 } });

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${e2e.env.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function createSchedule(body: Record<string, unknown>) {
  const res = await send('POST', '/schedules', body);
  expect(res.status).toBe(201);
  expect(res.headers.get('location')).toMatch(/^\/schedules\//);
  return scheduleAnswer.parse(await res.json());
}

const arrivalsOf = (scheduleId: string) => e2e.receiver.arrivals.filter((a) => a.headers['x-schedule-id'] === scheduleId);

/** Resolves once `count` runs of the schedule have arrived. */
async function runsArrived(scheduleId: string, count: number): Promise<Arrival[]> {
  while (arrivalsOf(scheduleId).length < count) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 60_000);
  return arrivalsOf(scheduleId);
}

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

test('every 1s: each run arrives once, for its own instant, with the schedule in its headers and body', async () => {
  const created = await createSchedule({ every: '1s', url: `${e2e.hook}/every`, name: 'heartbeat' });
  expect(created).toMatchObject({ every_s: 1, cron: null, timezone: 'UTC', state: 'active', overlap: 'allow', catch_up: 'latest', last_runs: [] });
  const instants = created.next_instants.map((i) => Date.parse(i.at));
  expect(instants).toHaveLength(5);
  instants.slice(1).forEach((at, i) => expect(at - instants[i]!).toBe(1000));
  expect(created.next_instants[0]!.local).toMatch(/\+00:00$/);

  const arrivals = await runsArrived(created.id, 4);
  const seen = arrivals.map((a) => a.headers['x-schedule-instant'] as string);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.slice(0, 3)).toEqual(created.next_instants.slice(0, 3).map((i) => i.at));
  for (const arrival of arrivals) {
    expect(arrival.at).toBeGreaterThanOrEqual(Date.parse(arrival.headers['x-schedule-instant'] as string));
    expect(JSON.parse(arrival.body)).toEqual({ id: arrival.id, schedule_id: created.id, instant: arrival.headers['x-schedule-instant'] });
  }

  const runs = await send('GET', `/timers?schedule_id=${created.id}`);
  const page = timerListAnswer.parse(await runs.json());
  expect(page.timers.length).toBeGreaterThanOrEqual(4);
  expect(page.timers.every((t) => t.schedule_id === created.id)).toBe(true);
  const read = scheduleAnswer.parse(await (await send('GET', `/schedules/${created.id}`)).json());
  expect(read.last_runs!.some((r) => r.state === 'delivered' && r.last_status === 200)).toBe(true);
  expect((await send('DELETE', `/schedules/${created.id}`)).status).toBe(204);
});

test('a task schedule: each run submits its own task, which a worker runs', async () => {
  const created = await createSchedule({ every: 1, task: { type: 'noop', args: {} } });
  expect(created).toMatchObject({ url: null, task: { type: 'noop', args: {} }, method: null });
  // The runs' tasks, as the task API lists them, until two have succeeded (a task's outcome is polled).
  let succeeded: string[] = [];
  while (succeeded.length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const runs = timerListAnswer.parse(await (await send('GET', `/timers?schedule_id=${created.id}`)).json()).timers;
    const taskIds = runs.filter((run) => run.state === 'delivered').map((run) => run.url.replace(/^task:/, ''));
    const states = await Promise.all(taskIds.map(async (id) => ((await (await send('GET', `/tasks/${id}`)).json()) as { state: string }).state));
    succeeded = taskIds.filter((_, i) => states[i] === 'succeeded');
  }
  expect(new Set(succeeded).size).toBe(succeeded.length);
  expect((await send('DELETE', `/schedules/${created.id}`)).status).toBe(204);
});

test('bad input is a 422 naming the field', async () => {
  const hook = `${e2e.hook}/never`;
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ cron: '61 * * * *', url: hook }, 'cron'],
    [{ cron: '0 0 30 2 *', url: hook }, 'cron'],
    [{ every: '1s', timezone: 'Mars/Olympus', url: hook }, 'timezone'],
    [{ every: '0.5s', url: hook }, 'every'],
    [{ every: 'soon', url: hook }, 'every'],
    [{ every: 10, url: hook, start_at: '2030-01-02T00:00:00Z', end_at: '2030-01-01T00:00:00Z' }, 'end_at'],
    [{ every: 10, cron: '* * * * *', url: hook }, 'cron'],
    [{ every: 10 }, 'url'],
    [{ every: 10, url: hook, overlap: 'sometimes' }, 'overlap'],
    [{ every: 10, task: { type: 'no-such-type', args: {} } }, 'task.type'],
  ];
  for (const [body, field] of cases) {
    const res = await send('POST', '/schedules', body);
    expect(res.status).toBe(422);
    const answer = errorAnswer.parse(await res.json());
    expect(answer.details?.map((d) => d.field)).toContain(field);
  }
  expect((await send('GET', '/schedules/not-an-id')).status).toBe(400);
  expect((await send('GET', '/schedules/00000000-0000-4000-8000-000000000000')).status).toBe(404);
});

test('pause stops the runs (even one already materialised), resume starts them again, PATCH recomputes, /run runs once now', async () => {
  const created = await createSchedule({ every: 1, url: `${e2e.hook}/paused` });
  await runsArrived(created.id, 1);
  const paused = scheduleAnswer.parse(await (await send('POST', `/schedules/${created.id}/pause`)).json());
  expect(paused).toMatchObject({ paused: true, state: 'paused', next_instants: [] });
  const before = arrivalsOf(created.id).length;
  // A control schedule's later runs arrive while the paused one stays silent.
  const control = await createSchedule({ every: 1, url: `${e2e.hook}/control` });
  await runsArrived(control.id, 3);
  // At most a run already being delivered when the pause came may still land.
  expect(arrivalsOf(created.id).length).toBeLessThanOrEqual(before + 1);
  const silent = arrivalsOf(created.id).length;
  await runsArrived(control.id, 5);
  expect(arrivalsOf(created.id).length).toBe(silent);

  const resumed = scheduleAnswer.parse(await (await send('POST', `/schedules/${created.id}/resume`)).json());
  expect(resumed).toMatchObject({ paused: false, state: 'active' });
  expect(resumed.next_instants).toHaveLength(5);
  await runsArrived(created.id, silent + 1);

  const patched = await send('PATCH', `/schedules/${created.id}`, { every: '1h', name: 'hourly' });
  expect(patched.status).toBe(200);
  const hourly = scheduleAnswer.parse(await patched.json());
  expect(hourly).toMatchObject({ every_s: 3600, name: 'hourly', url: `${e2e.hook}/paused` });
  expect(Date.parse(hourly.next_instants[1]!.at) - Date.parse(hourly.next_instants[0]!.at)).toBe(3_600_000);

  const run = await send('POST', `/schedules/${created.id}/run`);
  expect(run.status).toBe(202);
  const { timer_id } = scheduleRunAnswer.parse(await run.json());
  while (!e2e.receiver.arrivals.some((a) => a.id === timer_id)) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 30_000);

  const badPatch = await send('PATCH', `/schedules/${created.id}`, { end_at: '2001-01-01T00:00:00Z', start_at: '2002-01-01T00:00:00Z' });
  expect(badPatch.status).toBe(422);
  const list = scheduleListAnswer.parse(await (await send('GET', '/schedules?limit=1')).json());
  expect(list.schedules).toHaveLength(1);
  expect(list.next_cursor).not.toBeNull();
  const next = scheduleListAnswer.parse(await (await send('GET', `/schedules?limit=500&cursor=${list.next_cursor}`)).json());
  expect(next.schedules.map((s) => s.id)).not.toContain(list.schedules[0]!.id);
  for (const id of [created.id, control.id]) expect((await send('DELETE', `/schedules/${id}`)).status).toBe(204);
  expect((await send('GET', `/schedules/${created.id}`)).status).toBe(404);
});

test('overlap skip: while a run is still being delivered, the instants that fall due are skipped and say why', async () => {
  e2e.receiver.answer = (arrival) => (arrival.path === '/slow' ? 'hang' : { status: 200 });
  try {
    const created = await createSchedule({ every: 1, url: `${e2e.hook}/slow`, overlap: 'skip', max_attempts: 1, timeout_s: 2.5 });
    await runsArrived(created.id, 1);
    let skipped: Array<{ last_error: string }> = [];
    while (skipped.length === 0) {
      await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 30_000).catch(() => undefined);
      skipped = await query<{ last_error: string }>(`SELECT last_error FROM timers WHERE schedule_id = $1 AND state = 'skipped'`, [created.id]);
    }
    expect(skipped[0]!.last_error).toMatch(/overlap/);
    expect((await send('DELETE', `/schedules/${created.id}`)).status).toBe(204);
  } finally {
    e2e.receiver.answer = null;
  }
});

test('two triggers, one killed with -9 mid-run: every instant runs, no run is created twice', async () => {
  const created = await createSchedule({ every: 1, url: `${e2e.hook}/chaos` });
  await runsArrived(created.id, 3);
  await e2e.env.stack.of('trigger')[0]!.kill('SIGKILL');
  const killedAt = Date.now();
  // The survivor goes on; the killed trigger's claim (if it held one) returns within 8 s.
  while (arrivalsOf(created.id).some((a) => a.at > killedAt + 10_000) === false) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 60_000);
  expect((await send('DELETE', `/schedules/${created.id}`)).status).toBe(204);
  const runs = await query<{ instant: Date; n: number; state: string }>(
    `SELECT schedule_instant AS instant, count(*)::int AS n, min(state) AS state FROM timers WHERE schedule_id = $1 GROUP BY schedule_instant ORDER BY schedule_instant`,
    [created.id],
  );
  expect(runs.every((r) => r.n === 1)).toBe(true);
  const instants = runs.map((r) => r.instant.getTime());
  // One run per instant, none missing between the first and the last.
  instants.slice(1).forEach((at, i) => expect(at - instants[i]!).toBe(1000));
  const delivered = new Set(arrivalsOf(created.id).map((a) => a.headers['x-schedule-instant']));
  for (const run of runs.filter((r) => r.state === 'delivered')) expect(delivered.has(run.instant.toISOString())).toBe(true);
  await e2e.env.stack.startKind('trigger');
});
