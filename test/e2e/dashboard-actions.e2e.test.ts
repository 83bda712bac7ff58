// End to end, in a real browser: an admin acts from the /dashboard page (headless Chromium through nginx).
// Every action goes through the public API with the admin's token, typed into the page's token field; the
// timers, tasks and schedules acted on belong to another user (without the admin's token the API would
// not know them). Without a token, an action the API refuses shows the API's own error. Each test waits
// on what the page shows and on what the API answers.
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { useBrowserPage, waitForAnswer, waitForText as waitForPageText, WAIT } from '../helpers/dashboard-page.js';

jest.setTimeout(120_000);

const ADMIN = 'ops@example.com';
const e2e = useStackWithReceiver({
  replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1, worker: 1 },
  shards: 1,
  env: { TASK_TESTING_TYPES: 'true', ADMIN_EMAILS: ADMIN, DASHBOARD_OPEN: 'true' },
});
const browser = useBrowserPage();
let page: Page;
let admin: { id: string; token: string };
let userToken: string;
let userId: string;
// Paths the receiver answers 500; every other path 200.
const failing = new Set<string>();

async function call(path: string, opts: { method?: string; body?: unknown; token?: string } = {}): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${e2e.env.url}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${opts.method ?? 'POST'} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function userOf(email: string): Promise<{ id: string; token: string }> {
  const { id } = (await call('/users', { body: { email, password: 'password-123' } })) as { id: string };
  return { id, token: (await call('/token', { body: { email, password: 'password-123' } })).access_token as string };
}

/** The user's timer (POST /timer with the user's token, or another); returns its id. */
const timer = async (body: Record<string, unknown>, token = userToken) => (await call('/timer', { body, token })).id as string;
const waitForText = (selector: string, text: string | RegExp) => waitForPageText(page, selector, text);
/** Waits until the user (or the admin) sees the timer, task or schedule in one of `states`. */
const waitForState = (path: string, ...states: string[]) => waitForAnswer<{ state: string }>(`${e2e.env.url}${path}`, (answer) => states.includes(answer.state), admin.token);
const row = (list: string, id: string) => page.locator(`#${list} tr`, { hasText: id });
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const result = (text: string) => waitForText('#action-result', new RegExp(`^${escape(text)}`));

beforeAll(async () => {
  page = browser.page;
  e2e.receiver.answer = (arrival) => ({ status: failing.has(arrival.path) ? 500 : 200 });
  admin = await userOf(ADMIN);
  ({ token: userToken, id: userId } = await userOf('someone@example.com'));
  await page.goto(`${e2e.env.url}/dashboard`);
  await waitForText('#status', /^last updated /);
});

/** Clicks "pause all deliveries" once the page shows `before`, answers the question with yes, and waits for `outcome`. */
async function pauseAllDeliveries(before: string, outcome: string): Promise<void> {
  await waitForText('#deliveries-state', before);
  await page.click('#pause-deliveries');
  await waitForText('#flow-control .confirm .question', /^Pause every delivery of every owner until resumed\?/);
  await page.click('#flow-control .confirm-yes');
  await result(outcome);
}

test('without a token, pausing all deliveries is confirmed first and refused with the API\u2019s error', async () => {
  await pauseAllDeliveries(
    'all deliveries: an admin token is needed to read them',
    "pause all deliveries refused (401): only an admin pauses, resumes or reads all deliveries: this route needs an admin's bearer token (POST /token)",
  );
});

test('the admin token typed into the page is kept for the tab and sent with every action', async () => {
  await page.fill('#admin-token', admin.token);
  await page.click('#token-form button');
  await page.locator('#logout').waitFor({ state: 'visible', ...WAIT });
  expect(await page.evaluate(() => document.cookie)).toBe('');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
  await waitForText('#deliveries-state', 'all deliveries running; 0 timers waiting');
});

test('a failed timer is replayed from the page and delivered', async () => {
  failing.add('/replay-me');
  const id = await timer({ url: `${e2e.hook}/replay-me`, seconds: 0, max_attempts: 1 });
  await waitForState(`/timer/${id}`, 'failed');
  failing.delete('/replay-me');
  await row('failed-timers', id).locator('button[data-action="replay"]').click(WAIT);
  await result(`replay timer ${id}: now retrying`);
  await waitForState(`/timer/${id}`, 'delivered');
  await row('recent-timers', id).locator('td.state', { hasText: 'delivered' }).waitFor(WAIT);
});

test('a pending timer is cancelled from the page', async () => {
  const id = await timer({ url: `${e2e.hook}/later`, hours: 1 });
  await row('recent-timers', id).locator('button[data-action="cancel"]').click(WAIT);
  await result(`cancel timer ${id}: now cancelled`);
  await waitForState(`/timer/${id}`, 'cancelled');
});

test('replaying every failed timer is confirmed first, then says how many were replayed', async () => {
  failing.add('/bulk');
  const ids = [await timer({ url: `${e2e.hook}/bulk`, seconds: 0, max_attempts: 1 }), await timer({ url: `${e2e.hook}/bulk`, seconds: 0, max_attempts: 1 })];
  for (const id of ids) await waitForState(`/timer/${id}`, 'failed');
  await waitForText('#timer-counts .count.failed .n', '2');
  failing.delete('/bulk');
  await page.click('#replay-failed');
  await waitForText('.confirm .question', /^Replay the failed timers \(2 failed among those created in the last hour\)/);
  await page.click('.confirm-yes');
  await result('replay failed timers: 2 timers replayed');
  for (const id of ids) await waitForState(`/timer/${id}`, 'delivered');
});

test('a schedule is paused and resumed from the page', async () => {
  const { id } = (await call('/schedules', { body: { every: '1h', url: `${e2e.hook}/hourly`, name: 'hourly report' }, token: userToken })) as { id: string };
  await row('schedules', id).locator('button[data-action="pause"]').click(WAIT);
  await result('pause schedule hourly report: now paused');
  await waitForState(`/schedules/${id}`, 'paused');
  await row('schedules', id).locator('button[data-action="resume"]').click(WAIT);
  await result('resume schedule hourly report: now active, next run ');
  await waitForState(`/schedules/${id}`, 'active');
});

test('a failed task is retried from the page and runs again', async () => {
  const { id } = (await call('/tasks', { body: { type: 'fail', args: { message: 'broken on purpose' }, max_attempts: 1 }, token: userToken })) as { id: string };
  type Task = { state: string; finished_at: string | null };
  const first = await waitForAnswer<Task>(`${e2e.env.url}/tasks/${id}`, (task) => task.state === 'failed', userToken);
  await row('failed-tasks', id).locator('button[data-action="retry"]').click(WAIT);
  await result(`retry task ${id}: now queued, attempts 0/1`);
  // It failed again (the type always fails), in a run after the retry.
  await waitForAnswer<Task>(`${e2e.env.url}/tasks/${id}`, (task) => task.state === 'failed' && task.finished_at! > first.finished_at!, userToken);
});

test('a task type is paused from the page: its tasks are held until it is resumed', async () => {
  const sumRow = page.locator('#task-types tr.task-type', { hasText: 'sum' }).first();
  await sumRow.locator('button[data-action="pause"]').click(WAIT);
  await result('pause task type sum: paused until resumed');
  // Each worker looks at the pauses about once a second: a task it takes before its look still runs, the
  // next ones are held.
  let id = '';
  for (let state = ''; state !== 'held';) {
    id = ((await call('/tasks', { body: { type: 'sum', args: { numbers: [1, 2] } }, token: userToken })) as { id: string }).id;
    ({ state } = await waitForState(`/tasks/${id}`, 'held', 'succeeded'));
  }
  await sumRow.locator('button[data-action="resume"]').click(WAIT);
  await result('resume task type sum: running');
  await waitForState(`/tasks/${id}`, 'succeeded');
});

test("another owner's key is paused from the page: its timers wait, held; resumed, they are delivered", async () => {
  const key = 'partner-a';
  const flowTimer = () => timer({ url: `${e2e.hook}/flow`, seconds: 0, flow_control: { key, rate: 50, period_s: 1, parallelism: 2 } });
  await waitForState(`/timer/${await flowTimer()}`, 'delivered');
  const keyRow = page.locator('#flow-keys tr.flow-key', { hasText: key });
  await keyRow.locator('td.owner', { hasText: userId }).waitFor(WAIT);
  // The first timer's delivery has given its place back (the page may have read the key while it was in flight).
  await waitForText('#flow-keys tr.flow-key td.in-flight', '0');
  expect(await keyRow.locator('td').allTextContents()).toEqual([key, userId, '50 per 1 s', '2', '0', '0', '', 'pause']);
  await keyRow.locator('button[data-action="pause"]').click(WAIT);
  await result(`pause key ${key}: paused until resumed`);
  const held = [await flowTimer(), await flowTimer()];
  for (const id of held) await waitForState(`/timer/${id}`, 'held');
  await waitForText('#flow-keys tr.flow-key td.waiting', '2');
  await keyRow.locator('button[data-action="resume"]').click(WAIT);
  await result(`resume key ${key}: running`);
  for (const id of held) await waitForState(`/timer/${id}`, 'delivered');
  await waitForText('#flow-keys tr.flow-key td.waiting', '0');
});

test('pausing all deliveries is confirmed first; timers wait until they are resumed', async () => {
  await pauseAllDeliveries('all deliveries running; 0 timers waiting', 'pause all deliveries: all deliveries paused until resumed');
  // Each trigger reads the pauses of all deliveries twice a second: a timer it sends before its read
  // is delivered, the next ones are held.
  let id = '';
  for (let state = ''; state !== 'held';) {
    id = await timer({ url: `${e2e.hook}/all-paused`, seconds: 0 });
    ({ state } = await waitForState(`/timer/${id}`, 'held', 'delivered'));
  }
  await waitForText('#deliveries-state', /^all deliveries paused until resumed.*; 1 timer waiting$/);
  await page.click('#resume-deliveries');
  await result('resume all deliveries: all deliveries running');
  await waitForState(`/timer/${id}`, 'delivered');
});
