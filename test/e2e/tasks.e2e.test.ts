// End to end through nginx: background tasks and the sum and parse services' routes as their clients
// call them, on a whole stack with 2 task workers, a random-user service in front of a stand-in upstream,
// and the timer pipeline for delayed tasks. Workers are killed with -9 to show at-least-once and the
// dead-lettering of a task that keeps crashing its worker.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { RandomUserUpstream } from '../helpers/random-user-upstream.js';
import { nextMessage } from '../helpers/broker.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { taskAnswer } from '../../webserver/openapi/openapi-tasks.js';

jest.setTimeout(120_000);

let env: TestStack;
let upstream: RandomUserUpstream;
let db: pg.Pool;

beforeAll(async () => {
  upstream = new RandomUserUpstream();
  const upstreamUrl = await upstream.listen();
  env = await startTestStack({
    replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1, worker: 2, 'random-user': 1 },
    shards: 1,
    env: { TASK_TESTING_TYPES: 'true', RANDOM_USER_API_URL: upstreamUrl, RANDOM_USER_TIMEOUT_MS: '1000', TASK_RETRY_BASE_MS: '100' },
  });
  db = new pg.Pool({ connectionString: env.mainDbUrl, max: 2 });
});

afterAll(async () => {
  await db?.end();
  await env?.teardown();
  await upstream?.close();
});

type Task = { id: string; state: string; result: unknown; attempts: number; run_at: string; created_at: string; started_at: string | null };

/** Like curl -d: a body sent as application/x-www-form-urlencoded unless a header says otherwise. */
const curlPost = (path: string, body: string, base = env.url) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const postTask = (body: unknown, query = '') => fetch(`${env.url}/tasks${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const getTask = async (id: string) => (await (await fetch(`${env.url}/tasks/${id}`)).json()) as Task;
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Reads a task until `done` holds: waits on the pipeline's progress, not on a clock. */
async function until(id: string, done: (task: Task) => boolean): Promise<Task> {
  for (;;) {
    const task = await getTask(id);
    if (done(task)) return task;
    await pause();
  }
}
const isFinal = (task: Task) => ['succeeded', 'failed', 'cancelled'].includes(task.state);

async function workerRow(id: string): Promise<{ worker: string | null; state: string }> {
  return (await db.query('SELECT worker, state FROM tasks WHERE id = $1', [id])).rows[0];
}

describe('the sum service', () => {
  it('POST /sync/sum answers the sum, for a list or {"numbers": [...]}', async () => {
    const list = await curlPost('/sync/sum', '[1, 2, 3]');
    expect(list.status).toBe(200);
    expect(await list.json()).toBe(6);
    const object = await curlPost('/sync/sum', '{"numbers": [0.5, 0.25]}');
    expect(await object.json()).toBe(0.75);
    for (const bad of ['[]', '["one"]', '{"numbers": []}', JSON.stringify(Array.from({ length: 10_001 }, () => 1))]) {
      expect((await curlPost('/sync/sum', bad)).status).toBe(422);
    }
  });

  it('POST /async/post_task then GET /async/get_task_result: null until finished, then the sum', async () => {
    const res = await curlPost('/async/post_task', '[40, 2]');
    expect(res.status).toBe(200);
    const { session_id } = (await res.json()) as { session_id: string };
    let answer: unknown = null;
    while (answer === null) {
      const poll = await fetch(`${env.url}/async/get_task_result?session_id=${session_id}`);
      expect(poll.status).toBe(200);
      answer = await poll.json();
      if (answer === null) await pause();
    }
    expect(answer).toBe(42);
  });

  it('holds 1,000 concurrent POST /sync/sum open while GET /health still answers', async () => {
    // No worker runs: every sum waits. Once all 1,000 are stored (the webservers have published them
    // and are waiting for replies), /health must answer while none of them has been answered.
    await env.stack.stopKind('worker');
    const before = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE type = 'sum'`)).rows[0]!.n;
    let answered = 0;
    const sums = Array.from({ length: 1_000 }, async (_, i) => {
      const res = await curlPost('/sync/sum', JSON.stringify([i, 1]));
      answered += 1;
      return { status: res.status, body: await res.json() };
    });
    while ((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE type = 'sum'`)).rows[0]!.n < before + 1_000) await pause();
    const health = await fetch(`${env.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(answered).toBe(0);
    await env.stack.startKind('worker');
    const results = await Promise.all(sums);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(results.map((r) => r.body)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
  });
});

describe('parse tasks and the random-user service', () => {
  // The parse routes always need a bearer token: register (the registration mail reaches the
  // stack's SMTP server through a worker) and log in with the OAuth2 password form.
  let auth: Record<string, string>;
  beforeAll(async () => {
    const registered = await fetch(`${env.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'parser@example.com', password: 'parser-password' }),
    });
    expect(registered.status).toBe(201);
    const [mail] = await env.mailSink.waitForMails(1);
    expect(mail!.to).toEqual(['parser@example.com']);
    const token = await curlPost('/token', 'username=parser%40example.com&password=parser-password');
    expect(token.status).toBe(200);
    auth = { authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` };
  });

  it('GET / on the random-user service (its own port, and /random-user/ on the API port) stores and answers a user', async () => {
    const res = await fetch(`${env.randomUserUrl}/`);
    expect(res.status).toBe(200);
    const user = (await res.json()) as { id: number; username: string; country: string };
    expect(user.country).toBe('United States');
    const prefixed = await fetch(`${env.url}/random-user/`);
    expect(prefixed.status).toBe(200);
    const stored = await db.query('SELECT id FROM random_users WHERE id = $1', [user.id]);
    expect(stored.rowCount).toBe(1);
  });

  it('an upstream failure is a 502 through nginx, and nothing is stored', async () => {
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM random_users')).rows[0]!.n;
    const before = await count();
    upstream.mode = 'error';
    try {
      const res = await fetch(`${env.randomUserUrl}/`);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'upstream_failed' });
    } finally {
      upstream.mode = 'ok';
    }
    expect(await count()).toBe(before);
  });

  it('POST /parse -d \'{"data": "test"}\' answers a task_id; /parser_results/{id} gives status and result', async () => {
    expect((await curlPost('/parse', '{"data": "test"}')).status).toBe(401);
    const res = await fetch(`${env.url}/parse`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: '{"data": "test"}' });
    expect(res.status).toBe(200);
    const { task_id } = (await res.json()) as { task_id: string };
    let result: { task_id: string; status: string; result: { data: string; user: { username: string } } | null };
    do {
      result = (await (await fetch(`${env.url}/parser_results/${task_id}`, { headers: auth })).json()) as typeof result;
      if (result.status !== 'succeeded') await pause();
    } while (result.status !== 'succeeded');
    expect(result.task_id).toBe(task_id);
    expect(result.result!.data).toBe('test');
    expect(result.result!.user.username).toMatch(/^user\d+$/);
  });

  it('GET /async_parser answers 202 without an id, and the parse task runs', async () => {
    const res = await fetch(`${env.url}/async_parser?data=fire-and-forget`, { headers: auth });
    expect(res.status).toBe(202);
    expect(await res.json()).not.toHaveProperty('task_id');
    for (;;) {
      const row = (await db.query(`SELECT state, result FROM tasks WHERE type = 'parse' AND args->>'data' = 'fire-and-forget'`)).rows[0];
      if (row?.state === 'succeeded') {
        expect(row.result.data).toBe('fire-and-forget');
        break;
      }
      await pause();
    }
  });
});

describe('the task machinery', () => {
  it('POST /tasks?wait= answers 200 with the task, matching the OpenAPI description', async () => {
    const res = await postTask({ type: 'sum', args: { numbers: [1, 1] } }, '?wait=10');
    expect(res.status).toBe(200);
    const task = await res.json();
    expect(() => taskAnswer.parse(task)).not.toThrow();
    expect(task).toMatchObject({ state: 'succeeded', result: 2 });
  });

  it('a task that names a flow-control key shows it, and its retry waits on it too', async () => {
    const res = await postTask({ type: 'flaky', args: { failures: 1 }, max_attempts: 2, flow_control: { key: 'invoices' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const task = await until(id, isFinal);
    expect(task).toMatchObject({ state: 'succeeded', attempts: 2, flow_control: { key: 'invoices' } });
    const keys = await db.query<{ flow_key: string | null }>('SELECT flow_key FROM timers WHERE task_id = $1', [id]);
    expect(keys.rows.map((r) => r.flow_key)).toEqual(['invoices', 'invoices']);
  });

  it('a delayed task is a timer: it starts at its time, not before', async () => {
    const res = await postTask({ type: 'noop', delay_seconds: 2 });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await getTask(id)).state).toBe('queued');
    const task = await until(id, isFinal);
    expect(task.state).toBe('succeeded');
    expect(Date.parse(task.run_at) - Date.parse(task.created_at)).toBe(2_000);
    expect(Date.parse(task.started_at!)).toBeGreaterThanOrEqual(Date.parse(task.run_at));
    // The trigger records its timer's outcome after the dispatch (batched with others), so it may land
    // just after the task has finished: wait for the timer to leave 'firing', then it must be delivered.
    const timerState = async () => (await db.query<{ state: string }>('SELECT state FROM timers WHERE task_id = $1', [id])).rows.map((r) => r.state);
    let states = await timerState();
    while (states.length === 1 && states[0] === 'firing') {
      await pause();
      states = await timerState();
    }
    expect(states).toEqual(['delivered']);
  });

  it('a failing task is retried through the timer pipeline until it succeeds', async () => {
    const res = await postTask({ type: 'flaky', args: { failures: 2 }, max_attempts: 3 });
    const { id } = (await res.json()) as { id: string };
    const task = await until(id, isFinal);
    expect(task).toMatchObject({ state: 'succeeded', attempts: 3, result: { attempt: 3 } });
  });

  it('a worker killed with -9 mid-task: the task runs again on the other worker and finishes', async () => {
    const res = await postTask({ type: 'sleep', args: { ms: 1_500 }, max_attempts: 3 });
    const { id } = (await res.json()) as { id: string };
    let row = await workerRow(id);
    while (row.state !== 'running') {
      await pause();
      row = await workerRow(id);
    }
    const pid = Number(row.worker!.split(':').pop());
    const victim = env.stack.of('worker').find((p) => p.pid === pid)!;
    await victim.kill('SIGKILL');
    const task = await until(id, isFinal);
    expect(task).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect((await workerRow(id)).worker).not.toBe(row.worker);
    await env.stack.startKind('worker');
  });

  it('a task that crashes its worker ends failed and in the dead-letter queue, not in a crash loop', async () => {
    const res = await postTask({ type: 'crash', max_attempts: 1 });
    const { id } = (await res.json()) as { id: string };
    const task = await until(id, isFinal);
    expect(task).toMatchObject({ state: 'failed', attempts: 2 });
    const dead = await nextMessage(queueNames(env.stack.env.QUEUE_PREFIX!).tasksDead);
    expect(JSON.parse(dead.body)).toEqual({ id });
    // One worker died running it; the other dead-lettered it and is still there.
    expect(env.stack.of('worker').filter((p) => p.running)).toHaveLength(1);
    await env.stack.startKind('worker');
    expect((await postTask({ type: 'noop' }, '?wait=10')).status).toBe(200);
  });
});
