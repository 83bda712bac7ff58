// End to end, in a real browser: the /dashboard page through nginx, in headless Chromium (Debian's, driven
// by playwright-core). After timers and tasks are created through the API, a person sees their counts, a
// failed timer with its attempts, the queues, every process type alive and the lateness histogram; finds a
// timer by its id; watches the page update itself when a timer is created after it loaded, and sees
// "cannot reach the service" while the data cannot be fetched. A screenshot goes to test-results/.
import { jest } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { useBrowserPage, waitForAnswer, waitForText as waitForPageText, WAIT } from '../helpers/dashboard-page.js';

jest.setTimeout(120_000);

const SCREENSHOT = 'test-results/dashboard.png';

const e2e = useStackWithReceiver({
  replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1, worker: 1 },
  env: { TASK_TESTING_TYPES: 'true', HEARTBEAT_INTERVAL_MS: '500' },
});
const browser = useBrowserPage();

async function post(path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${e2e.env.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { id: string };
  if (res.status !== 201 && res.status !== 202) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

const waitForText = (selector: string, text: string | RegExp) => waitForPageText(browser.page, selector, text);
const waitForState = (path: string, done: (state: string) => boolean) => waitForAnswer<{ state: string }>(`${e2e.env.url}${path}`, (answer) => done(answer.state));

const count = (list: string, state: string) => `#${list} .count.${state} .n`;
let failed: { id: string };
let delivered: { id: string };

test('the page shows the counts, a failed timer with its attempts, the queues, the processes alive and the lateness', async () => {
  e2e.receiver.answer = (arrival) => (arrival.path === '/fail' ? { status: 500 } : { status: 200 });
  delivered = await post('/timer', { url: `${e2e.hook}/ok`, seconds: 0 });
  await post('/timer', { url: `${e2e.hook}/ok`, seconds: 0 });
  await post('/timer', { url: `${e2e.hook}/later`, hours: 1 });
  failed = await post('/timer', { url: `${e2e.hook}/fail`, seconds: 0, max_attempts: 2, retry_backoff_s: 0.1, retry_max_backoff_s: 1 });
  const sum = await post('/tasks', { type: 'sum', args: { numbers: [1, 2] } });
  const failing = await post('/tasks', { type: 'fail', args: { message: 'broken on purpose' }, max_attempts: 1 });
  await waitForState(`/timer/${failed.id}`, (state) => state === 'failed');
  await waitForState(`/timer/${delivered.id}`, (state) => state === 'delivered');
  await waitForState(`/tasks/${sum.id}`, (state) => state === 'succeeded');
  await waitForState(`/tasks/${failing.id}`, (state) => state === 'failed');

  await browser.page.goto(`${e2e.env.url}/dashboard`);
  await waitForText('#status', /^last updated /);
  await waitForText(count('timer-counts', 'delivered'), '2');
  await waitForText(count('timer-counts', 'failed'), '1');
  await waitForText(count('timer-counts', 'scheduled'), '1');
  await waitForText(count('task-counts', 'succeeded'), '1');
  await waitForText(count('task-counts', 'failed'), '1');

  const failedRow = browser.page.locator('#failed-timers tr.timer', { hasText: failed.id });
  await failedRow.waitFor(WAIT);
  expect(await failedRow.locator('li.attempt').allTextContents()).toEqual([expect.stringMatching(/^attempt 1: 500/), expect.stringMatching(/^attempt 2: 500/)]);
  await browser.page.locator('#failed-tasks tr.task', { hasText: failing.id }).filter({ hasText: 'broken on purpose' }).waitFor(WAIT);

  const prefix = e2e.env.stack.env.QUEUE_PREFIX!;
  const queues = await browser.page.locator('#queues tbody td:first-child').allTextContents();
  for (const queue of ['incoming_timers', 'timers_to_fire', 'tasks', 'incoming_logs', 'timers_to_fire.dead', 'tasks.dead']) expect(queues).toContain(`${prefix}${queue}`);

  for (const type of ['webserver', 'consumer', 'timer', 'trigger', 'worker']) {
    await browser.page.locator('#processes tbody tr', { hasText: type }).locator('td.alive').waitFor(WAIT);
  }
  // 2 delivered + 2 attempts of the failing timer, as the trigger's heartbeat reports them.
  await waitForText('#lateness-label', 'webhooks sent by the running triggers: 4');
  expect(await browser.page.locator('#lateness .bar').count()).toBeGreaterThan(1);
  expect(await browser.page.locator('#rabbitmq-link').getAttribute('href')).toMatch(/^http:\/\/.+:15672/);
});

test('search by id shows a timer with its attempt log', async () => {
  await browser.page.fill('#search-id', failed.id);
  await browser.page.click('#search-form button');
  await waitForText('#search-result h3', `timer ${failed.id}`);
  expect(await browser.page.locator('#search-result li.attempt').count()).toBe(2);
  await browser.page.fill('#search-id', '00000000-0000-7000-8000-000000000000');
  await browser.page.click('#search-form button');
  await waitForText('#search-result', /no timer and no task/);
});

test('the page updates itself when a timer is created after it loaded', async () => {
  await waitForText(count('timer-counts', 'scheduled'), '1');
  await post('/timer', { url: `${e2e.hook}/later`, hours: 2 });
  await waitForText(count('timer-counts', 'scheduled'), '2');
  mkdirSync('test-results', { recursive: true });
  await browser.page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test('a failing poll shows "cannot reach the service", and the page recovers by itself', async () => {
  await browser.page.route('**/dashboard/api/summary', (route) => route.abort());
  await waitForText('#status', /^cannot reach the service/);
  expect(await browser.page.locator('#status').getAttribute('class')).toContain('error');
  await browser.page.unroute('**/dashboard/api/summary');
  await waitForText('#status', /^last updated /);
});
