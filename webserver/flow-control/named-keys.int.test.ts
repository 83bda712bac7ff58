// Integration on real PostgreSQL and RabbitMQ: timers, batch items, schedules and delayed tasks name a
// flow-control key of their owner. The timer's message carries the key and its limits, the consumer
// stores the timer's flow_key and creates the key with those limits, and GET /timer shows it; a
// schedule's limits are set on its key and each run names it; a held timer can still be cancelled and
// rescheduled.
import { useUserApi } from '../../test/helpers/user-api.js';
import { storeBatch } from '../../consumer/store-batch.js';
import { findFlowKey, flowKeyId } from '../../common/store/flow-keys.js';
import { errorAnswer, flowKeyAnswer, scheduleAnswer, timerAnswer, timerListAnswer } from '../openapi/openapi.js';
import type { IncomingTimer } from '../../common/messages/timer-message.js';

const api = useUserApi();
const HOOK = 'http://127.0.0.1:9/hook';

/** Stores the next published timers as the consumer does. */
async function consumeNext(): Promise<IncomingTimer[]> {
  const timers = await api.nextIncomingTimers();
  await storeBatch({ main: api.dbs.main, shards: api.dbs.shards }, timers);
  return timers;
}

const flowKeyOf = async (timerId: string) => (await api.dbs.main.query<{ flow_key: string | null }>('SELECT flow_key FROM timers WHERE id = $1', [timerId])).rows[0]?.flow_key;

test('a timer names a key: the consumer stores its flow_key and creates the key with its limits; GET /timer and GET /timers show it', async () => {
  const { id: owner, token } = await api.userWithToken('timers@example.com');
  const res = await api.call('/timer', { token, body: { seconds: 3600, url: HOOK, flow_control: { key: 'emails', rate: 20, period_s: 60, parallelism: 3 } } });
  expect(res.status).toBe(201);
  const [timer] = await consumeNext();
  expect(timer!.flow_control).toEqual({ key: 'emails', rate: 20, period_s: 60, parallelism: 3 });
  expect(await flowKeyOf(timer!.id)).toBe('emails');
  const key = await findFlowKey(api.dbs.main, flowKeyId('key', owner, 'emails'));
  expect(key).toMatchObject({ owner_id: owner, key: 'emails', rate: 20, period_s: 60, parallelism: 3 });
  expect(flowKeyAnswer.parse((await api.call('/flow-control/emails', { token })).body)).toMatchObject({ rate: 20, period_s: 60, parallelism: 3 });

  const read = timerAnswer.parse((await api.call(`/timer/${timer!.id}`, { token })).body);
  expect(read.flow_control).toEqual({ key: 'emails' });
  const listed = timerListAnswer.parse((await api.call('/timers', { token })).body);
  expect(listed.timers.find((t) => t.id === timer!.id)?.flow_control).toEqual({ key: 'emails' });

  // A later timer that gives only parallelism keeps the key's rate.
  await api.call('/timer', { token, body: { seconds: 3600, url: HOOK, flow_control: { key: 'emails', parallelism: 7 } } });
  await consumeNext();
  expect(await findFlowKey(api.dbs.main, flowKeyId('key', owner, 'emails'))).toMatchObject({ rate: 20, period_s: 60, parallelism: 7 });
});

test('each item of a batch names its own key; a bad flow_control refuses that item only, naming the field', async () => {
  const { id: owner, token } = await api.userWithToken('batch@example.com');
  const res = await api.call('/timers', {
    token,
    body: {
      timers: [
        { seconds: 60, url: HOOK, flow_control: { key: 'batch-key', parallelism: 1 } },
        { seconds: 60, url: HOOK, flow_control: { key: 'a/b' } },
        { seconds: 60, url: HOOK },
      ],
    },
  });
  expect(res.status).toBe(200);
  const results = res.body.results as Array<{ status: number; details?: Array<{ field: string }> }>;
  expect(results.map((r) => r.status)).toEqual([201, 422, 201]);
  expect(results[1]!.details!.map((d) => d.field)).toEqual(['flow_control.key']);
  const timers = await consumeNext();
  expect(timers.map((t) => t.flow_control?.key ?? null)).toEqual(['batch-key', null]);
  expect(await findFlowKey(api.dbs.main, flowKeyId('key', owner, 'batch-key'))).toMatchObject({ parallelism: 1, rate: null });
});

test('bad flow_control on POST /timer is a 422 naming the field', async () => {
  const cases: Array<[unknown, string]> = [
    [{ key: 'k', rate: 0 }, 'flow_control.rate'],
    [{ key: 'k', period_s: -1 }, 'flow_control.period_s'],
    [{ key: 'k'.repeat(500) }, 'flow_control.key'],
    [{ key: 'with space' }, 'flow_control.key'],
    [{ key: 'k', burst: 1 }, 'flow_control.burst'],
  ];
  for (const [flow_control, field] of cases) {
    const res = await api.call('/timer', { body: { seconds: 60, url: HOOK, flow_control } });
    expect(res.status).toBe(422);
    expect(errorAnswer.parse(res.body).details?.map((d) => d.field)).toEqual([field]);
  }
});

test('a held timer can be cancelled and rescheduled', async () => {
  const { id: owner, token } = await api.userWithToken('held@example.com');
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    await api.call('/timer', { token, body: { seconds: 3600, url: HOOK, flow_control: { key: 'held-key', parallelism: 1 } } });
    ids.push((await consumeNext())[0]!.id);
  }
  // As a trigger leaves them when their key has no capacity.
  await api.dbs.main.query(`UPDATE timers SET state = 'held', held_on = $2 WHERE id = ANY($1::uuid[])`, [ids, flowKeyId('key', owner, 'held-key')]);
  const held = timerAnswer.parse((await api.call(`/timer/${ids[0]}`, { token })).body);
  expect(held.state).toBe('held');
  const cancelled = await api.call(`/timer/${ids[0]}`, { method: 'DELETE', token });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ state: 'cancelled', flow_control: { key: 'held-key' } });
  const rescheduled = await api.call(`/timer/${ids[1]}`, { method: 'PATCH', token, body: { seconds: 7200 } });
  expect(rescheduled.status).toBe(200);
  expect(rescheduled.body).toMatchObject({ state: 'scheduled', flow_control: { key: 'held-key' } });
  const rows = await api.dbs.main.query<{ held_on: string | null }>('SELECT held_on FROM timers WHERE id = ANY($1::uuid[])', [ids]);
  expect(rows.rows.map((r) => r.held_on)).toEqual([null, null]);
});

test("a schedule names a key: its limits are set on the owner's key, each run names it; PATCH changes or clears it", async () => {
  const { id: owner, token } = await api.userWithToken('schedules@example.com');
  const created = await api.call('/schedules', { token, body: { every: '1h', url: HOOK, flow_control: { key: 'nightly', rate: 3, period_s: 60 } } });
  expect(created.status).toBe(201);
  const schedule = scheduleAnswer.parse(created.body);
  expect(schedule.flow_control).toEqual({ key: 'nightly' });
  expect(await findFlowKey(api.dbs.main, flowKeyId('key', owner, 'nightly'))).toMatchObject({ rate: 3, period_s: 60, parallelism: null });
  const runs = async () => timerListAnswer.parse((await api.call(`/timers?schedule_id=${schedule.id}&state=scheduled`, { token })).body).timers;
  expect((await runs()).map((run) => run.flow_control)).toEqual([{ key: 'nightly' }]);

  const changed = await api.call(`/schedules/${schedule.id}`, { method: 'PATCH', token, body: { flow_control: { key: 'other', parallelism: 2 } } });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ flow_control: { key: 'other' } });
  expect(await findFlowKey(api.dbs.main, flowKeyId('key', owner, 'other'))).toMatchObject({ parallelism: 2 });
  expect((await runs()).map((run) => run.flow_control)).toEqual([{ key: 'other' }]);
  // An edit of another field keeps the key.
  expect((await api.call(`/schedules/${schedule.id}`, { method: 'PATCH', token, body: { every: '2h' } })).body).toMatchObject({ flow_control: { key: 'other' } });
  const cleared = await api.call(`/schedules/${schedule.id}`, { method: 'PATCH', token, body: { flow_control: null } });
  expect(cleared.body).toMatchObject({ flow_control: null });
  expect((await runs()).map((run) => run.flow_control)).toEqual([null]);

  const bad = await api.call('/schedules', { token, body: { every: '1h', url: HOOK, flow_control: { key: 'k', rate: 0 } } });
  expect(bad.status).toBe(422);
  expect(errorAnswer.parse(bad.body).details?.map((d) => d.field)).toEqual(['flow_control.rate']);
});

test("a task that names a key goes through its timer, which names the owner's key", async () => {
  const { id: owner, token } = await api.userWithToken('tasks@example.com');
  const delayed = await api.call('/tasks', { token, body: { type: 'noop', delay_seconds: 60, flow_control: { key: 'jobs', parallelism: 4 } } });
  expect(delayed.status).toBe(202);
  const [timer] = await consumeNext();
  expect(timer).toMatchObject({ url: `task:${delayed.body.id as string}`, owner_id: owner, flow_control: { key: 'jobs', parallelism: 4 } });
  expect(await findFlowKey(api.dbs.main, flowKeyId('key', owner, 'jobs'))).toMatchObject({ parallelism: 4 });
  // Due now, it still goes as a timer: the key is enforced where timers are delivered.
  const now = await api.call('/tasks', { token, body: { type: 'noop', flow_control: { key: 'jobs' } } });
  expect(now.status).toBe(202);
  const [nowTimer] = await api.nextIncomingTimers();
  expect(nowTimer).toMatchObject({ url: `task:${now.body.id as string}`, flow_control: { key: 'jobs' } });
  const bad = await api.call('/tasks', { token, body: { type: 'noop', delay_seconds: 5, flow_control: { key: 'jobs', period_s: 0 } } });
  expect(bad.status).toBe(422);
  expect(errorAnswer.parse(bad.body).details?.map((d) => d.field)).toEqual(['flow_control.period_s']);
});
