// End to end: every process type serves Prometheus metrics on its own port; after a few timers fire
// (one of them failing) and a task runs, the counters of every hop have moved, the lateness histogram
// has observations and the queue gauges are there. nginx does not pass /metrics through. One timer is
// followed by its timer id and its request id through the logs of every process type.
import { jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { hasSample, maxOf, parsePrometheusText, sumOf, type Sample } from '../helpers/prometheus-text.js';

jest.setTimeout(120_000);

const e2e = useStackWithReceiver({
  replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 2, worker: 1, 'random-user': 1 },
  // the per-timer lines of every hop are debug lines
  env: { LOG_LEVEL: 'debug' },
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${e2e.env.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Every process's samples, by kind (webserver, consumer, ...), replicas' samples together. */
async function scrapeAll(): Promise<Map<string, Sample[]>> {
  const byKind = new Map<string, Sample[]>();
  for (const [name, url] of e2e.env.stack.metricsUrls) {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const kind = name.replace(/-\d+$/, '');
    byKind.set(kind, [...(byKind.get(kind) ?? []), ...parsePrometheusText(await res.text())]);
  }
  return byKind;
}

/** Retries `check` until it passes (counters move just after the effect a test can see). */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await check();
    } catch (err) {
      if (delay >= 1_000 && Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
let deadline = 0;

test('each process type serves /metrics; the counters of every hop move as timers fire', async () => {
  e2e.receiver.answer = (arrival) => (arrival.path === '/fail' ? { status: 500 } : { status: 200 });
  for (let i = 0; i < 4; i++) expect((await post('/timer', { url: `${e2e.hook}/ok`, seconds: i % 2 })).status).toBe(201);
  expect((await post('/timer', { url: `${e2e.hook}/fail`, seconds: 0, max_attempts: 1 })).status).toBe(201);
  expect((await post('/tasks', { type: 'sum', args: { numbers: [1, 2] } })).status).toBe(202);
  await e2e.receiver.waitFor(5, 60_000);

  deadline = Date.now() + 30_000;
  await eventually(async () => {
    const scraped = await scrapeAll();
    expect([...scraped.keys()].sort()).toEqual(['consumer', 'random-user', 'timer', 'trigger', 'webserver', 'worker']);
    for (const [kind, samples] of scraped) {
      // the default process metrics, labelled with the process kind
      expect(hasSample(samples, 'process_cpu_user_seconds_total', { service: kind })).toBe(true);
      expect(hasSample(samples, 'nodejs_eventloop_lag_seconds', { service: kind })).toBe(true);
    }
    const of = (kind: string) => scraped.get(kind)!;
    expect(sumOf(of('webserver'), 'timer_created_total')).toBe(5);
    expect(hasSample(of('webserver'), 'timer_cancelled_total')).toBe(true);
    expect(hasSample(of('webserver'), 'timer_queue_messages', { queue: 'incoming_timers' })).toBe(true);
    expect(maxOf(of('webserver'), 'timer_tasks', { state: 'succeeded' })).toBe(1); // each webserver reads the same table
    expect(sumOf(of('consumer'), 'timer_batch_size_sum', { stage: 'consumer_insert' })).toBeGreaterThanOrEqual(5);
    expect(sumOf(of('consumer'), 'timer_consumer_lag_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(hasSample(of('consumer'), 'timer_queue_consumers', { queue: 'incoming_timers' })).toBe(true);
    expect(sumOf(of('timer'), 'timer_fired_total')).toBeGreaterThanOrEqual(5);
    expect(sumOf(of('timer'), 'timer_batch_size_count', { stage: 'poller_claim' })).toBeGreaterThan(0);
    const trigger = of('trigger');
    expect(sumOf(trigger, 'timer_webhook_attempts_total', { outcome: 'delivered' })).toBe(4);
    expect(sumOf(trigger, 'timer_webhook_attempts_total', { outcome: 'failed' })).toBe(1);
    expect(sumOf(trigger, 'timer_webhook_responses_total', { code: '200' })).toBe(4);
    expect(sumOf(trigger, 'timer_webhook_responses_total', { code: '500' })).toBe(1);
    expect(sumOf(trigger, 'timer_webhook_duration_seconds_count')).toBe(5);
    expect(sumOf(trigger, 'timer_lateness_seconds_count', { attempt: 'first' })).toBe(5);
    expect(sumOf(trigger, 'timer_lateness_seconds_bucket', { attempt: 'first', le: '+Inf' })).toBe(5);
    expect(sumOf(trigger, 'timer_batch_size_count', { stage: 'trigger_claim' })).toBeGreaterThan(0);
    expect(hasSample(trigger, 'timer_queue_messages', { queue: 'timers_to_fire' })).toBe(true);
    expect(sumOf(of('worker'), 'timer_tasks_finished_total', { outcome: 'succeeded' })).toBe(1);
    expect(hasSample(of('worker'), 'timer_queue_messages', { queue: 'tasks' })).toBe(true);
  });
});

test('nginx does not pass /metrics through to a random replica', async () => {
  const res = await fetch(`${e2e.env.url}/metrics`);
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: 'not_found' });
});

/** Every JSON log line of the stack's processes, with the file (process) it came from. */
function stackLogLines(): Array<{ file: string; line: Record<string, unknown> }> {
  const dir = join(e2e.env.stack.options.runDir, 'logs');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.log') && file !== 'nginx.log')
    .flatMap((file) =>
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((text) => text.startsWith('{'))
        .map((text) => ({ file, line: JSON.parse(text) as Record<string, unknown> })),
    );
}

test('one timer is followed across the processes by its timer id, and by the request id up to its webhook attempt', async () => {
  const res = await post('/timer', { url: `${e2e.hook}/followed`, seconds: 0 });
  expect(res.status).toBe(201);
  const timerId = ((await res.json()) as { id: string }).id;
  const requestId = res.headers.get('x-request-id')!;
  expect(requestId).toMatch(/^[A-Za-z0-9._:-]+$/);
  deadline = Date.now() + 30_000;
  await eventually(async () => {
    const about = stackLogLines().filter(({ line }) => line.timer_id === timerId);
    const hop = (file: RegExp, msg: string) => about.find((entry) => file.test(entry.file) && entry.line.msg === msg)?.line;
    expect(hop(/^webserver-/, 'timer accepted')).toMatchObject({ service: 'webserver', request_id: requestId });
    expect(hop(/^consumer-/, 'stored')).toMatchObject({ service: 'consumer', request_id: requestId });
    // The shards keep no request id: the poller's line is found by the timer id.
    expect(hop(/^timer-/, 'due timer published')).toMatchObject({ service: 'timer' });
    expect(hop(/^trigger-/, 'webhook attempted')).toMatchObject({ service: 'trigger', request_id: requestId, status: 200, state: 'delivered' });
  });
});
