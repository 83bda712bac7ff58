// End to end, in a real browser: a timer's outcome callback and the answers its attempts keep. A timer
// names callback_url; once its destination answered (a body and headers) the receiver gets the outcome,
// with that answer, under the callback's own id, and GET /timer/{id} shows the callback beside the
// answer the attempt kept; a timer that fails for good tells its failure_callback_url. The /dashboard
// page (headless Chromium through nginx) shows the same: the answer's status, headers and body as text
// (a body that is not UTF-8 as labelled base64, a long one marked truncated), the callback's row, and
// the callback itself, opened from that row.
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import type { Answer } from '../helpers/webhook-receiver.js';
import { useBrowserPage, waitForAnswer, waitForText as waitForPageText, WAIT } from '../helpers/dashboard-page.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver({
  replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1 },
  shards: 1,
  env: { DASHBOARD_OPEN: 'true' },
});
const browser = useBrowserPage();
let page: Page;

// What the destination answers: JSON whose text would be markup if the page took it as HTML.
const ORDER = '{"order":"accepted","note":"<b>not markup</b>"}';
// Bytes that are not UTF-8, longer than the KiB an attempt keeps.
const BINARY = Buffer.alloc(2000, 0xff);

interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  body_encoding: string;
  body_bytes: number;
  body_truncated: boolean;
}
interface Attempt {
  status: number | null;
  response?: RecordedResponse;
}
interface Callback {
  id: string;
  outcome: string;
  url: string;
  state: string;
  attempt_history: Attempt[];
}
interface Timer {
  id: string;
  state: string;
  attempt_history: Attempt[];
  callbacks?: Callback[];
  callback_of: { id: string; outcome: string } | null;
}

async function createTimer(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`POST /timer: ${res.status} ${JSON.stringify(answer)}`);
  return answer.id;
}

const readTimer = (id: string, done: (timer: Timer) => boolean) => waitForAnswer<Timer>(`${e2e.env.url}/timer/${id}`, done);
const waitForText = (selector: string, text: string | RegExp) => waitForPageText(page, selector, text);

async function search(id: string): Promise<void> {
  await page.fill('#search-id', id);
  await page.click('#search-form button');
  await waitForText('#search-result h3', `timer ${id}`);
}

let timerId: string;
let callback: Callback;

beforeAll(async () => {
  page = browser.page;
  e2e.receiver.answer = (arrival): Answer => {
    if (arrival.path === '/order') return { status: 201, headers: { 'content-type': 'application/json', 'x-request-id': 'order-42', 'x-other': 'not kept' }, body: ORDER };
    if (arrival.path === '/gone') return { status: 410, body: 'no such order' };
    if (arrival.path === '/binary') return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: BINARY };
    return { status: 200, body: 'thanks' };
  };
});

test("a delivered timer's callback carries the destination's answer, and GET /timer/{id} shows the callback and the kept answer", async () => {
  timerId = await createTimer({ url: `${e2e.hook}/order`, seconds: 0, callback_url: `${e2e.hook}/done`, failure_callback_url: `${e2e.hook}/failed` });
  const timer = await readTimer(timerId, (t) => t.state === 'delivered' && t.callbacks?.[0]?.state === 'delivered');

  expect(timer.attempt_history).toHaveLength(1);
  expect(timer.attempt_history[0]!.response).toEqual({
    status: 201,
    headers: { 'content-type': 'application/json', 'x-request-id': 'order-42' },
    body: ORDER,
    body_encoding: 'utf8',
    body_bytes: ORDER.length,
    body_truncated: false,
  });
  expect(timer.callbacks).toHaveLength(1);
  callback = timer.callbacks![0]!;
  expect(callback).toMatchObject({ outcome: 'delivered', url: `${e2e.hook}/done`, state: 'delivered' });

  // The receiver got the outcome once, under the callback's id, with every header of the answer.
  const told = e2e.receiver.arrivals.filter((a) => a.path === '/done');
  expect(told).toHaveLength(1);
  expect(told[0]!.headers['idempotency-key']).toBe(callback.id);
  expect(told[0]!.headers['content-type']).toBe('application/json');
  const body = JSON.parse(told[0]!.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: 'timer.delivered', timer_id: timerId, url: `${e2e.hook}/order`, state: 'delivered', attempts: 1, replays: 0, status: 201, error: null });
  expect(body.response).toMatchObject({ status: 201, body: ORDER, body_encoding: 'utf8', body_truncated: false, headers: { 'x-request-id': 'order-42', 'x-other': 'not kept' } });
  expect(e2e.receiver.arrivals.filter((a) => a.path === '/failed')).toEqual([]);

  // The callback is a timer of its own, which says whose outcome it tells.
  const own = await readTimer(callback.id, () => true);
  expect(own.callback_of).toEqual({ id: timerId, outcome: 'delivered' });
});

test('a timer that fails for good tells its failure_callback_url, with the last answer', async () => {
  const id = await createTimer({ url: `${e2e.hook}/gone`, seconds: 0, callback_url: `${e2e.hook}/done`, failure_callback_url: `${e2e.hook}/failed` });
  const timer = await readTimer(id, (t) => t.state === 'failed' && t.callbacks?.[0]?.state === 'delivered');
  expect(timer.callbacks).toEqual([expect.objectContaining({ outcome: 'failed', url: `${e2e.hook}/failed` })]);
  const told = e2e.receiver.arrivals.filter((a) => a.path === '/failed');
  expect(told).toHaveLength(1);
  expect(JSON.parse(told[0]!.body)).toMatchObject({ type: 'timer.failed', timer_id: id, state: 'failed', status: 410, error: 'HTTP 410', response: { status: 410, body: 'no such order' } });
});

test("the dashboard shows an attempt's answer as text, the callback's row, and opens the callback from it", async () => {
  await page.goto(`${e2e.env.url}/dashboard`);
  await waitForText('#status', /^last updated /);
  await search(timerId);

  // The timer's own attempts (the callback's row lists the callback's).
  const answer = page.locator('#search-result > ol.attempts .response');
  await answer.waitFor(WAIT);
  expect(await answer.locator('summary').textContent()).toBe(`answer 201, ${ORDER.length} bytes`);
  const body = answer.locator('.response-body');
  expect(await body.isVisible()).toBe(true);
  expect(await body.textContent()).toBe(ORDER);
  expect(await body.locator('b').count()).toBe(0); // shown as text, never as markup
  expect(await answer.locator('.response-headers dt').allTextContents()).toEqual(['content-type', 'x-request-id']);
  expect(await answer.locator('.response-headers dd').allTextContents()).toEqual(['application/json', 'order-42']);

  const row = page.locator('#search-result table.callbacks tr.callback');
  await row.waitFor(WAIT);
  expect(await row.locator('td').allTextContents()).toEqual(['delivered', `${e2e.hook}/done`, 'delivered', expect.stringMatching(/^1attempt 1: 200/), '200', callback.id]);

  await row.locator('button.id').click();
  await waitForText('#search-result h3', `timer ${callback.id}`);
  await page.locator('#search-result dd', { hasText: `the delivered outcome of ${timerId}` }).waitFor(WAIT);
  expect(await page.locator('#search-result li.attempt .response-body').textContent()).toBe('thanks');
});

test('an answer that is not UTF-8 is shown as labelled base64, and one over a KiB is marked truncated', async () => {
  const binaryId = await createTimer({ url: `${e2e.hook}/binary`, seconds: 0 });
  const timer = await readTimer(binaryId, (t) => t.state === 'delivered');
  expect(timer.attempt_history[0]!.response).toMatchObject({ body_encoding: 'base64', body_bytes: BINARY.length, body_truncated: true, body: BINARY.subarray(0, 1024).toString('base64') });
  expect(timer.callbacks).toEqual([]);

  await search(binaryId);
  const answer = page.locator('#search-result li.attempt .response');
  await answer.waitFor(WAIT);
  expect(await answer.locator('summary').textContent()).toBe(`answer 200, ${BINARY.length} bytes, truncated`);
  expect(await answer.locator('.body-encoding').textContent()).toBe('body as base64 (not UTF-8 text):');
  expect(await answer.locator('.response-body').textContent()).toBe(BINARY.subarray(0, 1024).toString('base64'));
  expect(await answer.locator('.body-truncated').isVisible()).toBe(true);
  expect(await page.locator('#search-result table.callbacks').count()).toBe(0);
});
