// Prometheus metrics (prom-client): one registry per process with the default process metrics
// (CPU, memory, event-loop lag, GC), and every metric of the pipeline defined here, in one place, so
// that the names the Grafana dashboard (deploy/grafana/timer-service.json) uses can be checked against
// them. A process increments the ones of its hop; the others stay at zero in its output.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
let defaultsCollected = false;

// The event-loop lag is sampled every 100 ms, not every 10 ms (prom-client's default): each sample is a
// timer that wakes the process, and at 10 ms an idle process spent 13 ms of CPU per second on them
// (about 0.15 CPU-seconds per second over a whole stack), at 100 ms 2.6 ms. Each sample still measures
// its delay to the microsecond; the p99 over a scrape interval has 150 samples per 15 s instead of 1,500.
const EVENT_LOOP_SAMPLE_MS = 100;

/** Labels every series of this process with its kind (webserver, consumer, ...) and adds the process metrics. */
export function initMetrics(service: string): void {
  registry.setDefaultLabels({ service });
  if (!defaultsCollected) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  defaultsCollected = true;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export const metrics = {
  timersCreated: new Counter({ name: 'timer_created_total', help: 'timers accepted by POST /timer (webserver)', registers: [registry] }),
  timersFired: new Counter({ name: 'timer_fired_total', help: 'due timers published to timers_to_fire (timer poller)', registers: [registry] }),
  deadLetters: new Counter({
    name: 'timer_dead_letters_total',
    help: 'messages moved to a .dead queue, by the queue they came from: each one is a defect to look at (any process)',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  timersCancelled: new Counter({ name: 'timer_cancelled_total', help: 'timers cancelled before they fired (webserver)', registers: [registry] }),
  webhookAttempts: new Counter({
    name: 'timer_webhook_attempts_total',
    help: 'webhook attempts by what they led to: delivered, retrying or failed (trigger)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  webhookResponses: new Counter({
    name: 'timer_webhook_responses_total',
    help: 'webhook answers by HTTP status code; "error" for no answer (timeout, connection refused, ...) (trigger)',
    labelNames: ['code'] as const,
    registers: [registry],
  }),
  webhookDuration: new Histogram({
    name: 'timer_webhook_duration_seconds',
    help: 'duration of one webhook attempt, sent to answered or given up (trigger)',
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  }),
  lateness: new Histogram({
    name: 'timer_lateness_seconds',
    help: 'webhook sent minus its due time (fire_at, or the retry time of a retry) (trigger)',
    labelNames: ['attempt'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  }),
  publishLead: new Gauge({
    name: 'timer_publish_lead_seconds',
    help: 'how long before fire_at due timers leave the poller now; above POLLER_PUBLISH_AHEAD_MS while the trip to the trigger is slow (timer)',
    registers: [registry],
  }),
  consumerLag: new Histogram({
    name: 'timer_consumer_lag_seconds',
    help: 'a timer stored in PostgreSQL minus its acceptance by a webserver (consumer)',
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  }),
  batchSize: new Histogram({
    name: 'timer_batch_size',
    help: 'rows per batch: consumer_insert (consumer), poller_claim (timer), trigger_claim and trigger_outcome (trigger)',
    labelNames: ['stage'] as const,
    buckets: BATCH_BUCKETS,
    registers: [registry],
  }),
  queueMessages: new Gauge({
    name: 'timer_queue_messages',
    help: 'messages ready in a queue, read from the broker at scrape time by the processes that consume or feed it',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  queueConsumers: new Gauge({
    name: 'timer_queue_consumers',
    help: 'consumers attached to a queue, read from the broker at scrape time',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  tasks: new Gauge({
    name: 'timer_tasks',
    help: 'background tasks by state (webserver, at scrape time): every queued, running or held one; succeeded, failed and cancelled: those created in the last hour',
    labelNames: ['state'] as const,
    registers: [registry],
  }),
  tasksFinished: new Counter({
    name: 'timer_tasks_finished_total',
    help: 'task runs finished by outcome: succeeded, retrying or failed (worker)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  tableBytes: new Gauge({
    name: 'timer_table_bytes',
    help: 'size on disk of timers, tasks and log_records, every partition with its indexes (retention, each sweep)',
    labelNames: ['table'] as const,
    registers: [registry],
  }),
  retentionPartitions: new Counter({
    name: 'timer_retention_partitions_total',
    help: 'partitions whose expired rows were removed whole: dropped, or rewritten with the rows kept (retention)',
    labelNames: ['table', 'how'] as const,
    registers: [registry],
  }),
  retentionRowsDeleted: new Counter({
    name: 'timer_retention_rows_deleted_total',
    help: 'expired rows deleted in batches (partitions kept by many rows, default partitions) (retention)',
    labelNames: ['table'] as const,
    registers: [registry],
  }),
  retentionDeferred: new Counter({
    name: 'timer_retention_deferred_total',
    help: 'removals that gave way to the hot path (a lock not had in time) or found rows to keep under the lock (retention)',
    labelNames: ['table'] as const,
    registers: [registry],
  }),
};

/** Every metric name the code defines (the pipeline's and the default process metrics). */
export async function metricNames(): Promise<Set<string>> {
  initMetrics('names');
  return new Set((await registry.getMetricsAsJSON()).map((metric) => metric.name));
}

// Gauges read at scrape time (queue depths, tasks by state): each process registers its readers.
const scrapeReaders: Array<() => Promise<void>> = [];
const READ_TIMEOUT_MS = 2_000;

/** Runs `read` before every scrape; a reader that fails or hangs leaves its gauges as they were. */
export function onScrape(read: () => Promise<void>): void {
  scrapeReaders.push(read);
}

/** Reads the depth and consumers of `queues` (label: the unprefixed name) at every scrape. */
export function watchQueues(amqp: { queueStats(queue: string): Promise<{ messageCount: number; consumerCount: number } | null> }, queues: Record<string, string>): void {
  onScrape(async () => {
    await Promise.all(
      Object.entries(queues).map(async ([label, queue]) => {
        const stats = await amqp.queueStats(queue);
        if (!stats) return;
        metrics.queueMessages.set({ queue: label }, stats.messageCount);
        metrics.queueConsumers.set({ queue: label }, stats.consumerCount);
      }),
    );
  });
}

/** The text exposition of this process's metrics, the scrape-time gauges read first. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  await Promise.all(scrapeReaders.map((read) => Promise.race([read().catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, READ_TIMEOUT_MS).unref())])));
  return { contentType: registry.contentType, body: await registry.metrics() };
}
