// The trigger's metrics (common/observability/metrics.ts): attempts by outcome, answers by status code, durations,
// lateness (sent minus due), and the sizes of its claim and outcome batches.
import { metrics } from '../common/observability/metrics.js';
import { cumulativeBuckets, type Bucket } from '../common/observability/histogram-buckets.js';

export interface AttemptFacts {
  /** false for a delayed task dispatched to the tasks queue: no HTTP answer to count */
  webhook: boolean;
  attempt: number;
  dueAt: number;
  startedAt: number;
  finishedAt: number;
  status: number | null;
  state: string;
}

export const recordAttemptMetrics = {
  attempt(facts: AttemptFacts): void {
    metrics.lateness.observe({ attempt: facts.attempt === 1 ? 'first' : 'retry' }, Math.max(0, facts.startedAt - facts.dueAt) / 1000);
    if (!facts.webhook) return;
    metrics.webhookAttempts.inc({ outcome: facts.state });
    metrics.webhookResponses.inc({ code: facts.status === null ? 'error' : String(facts.status) });
    metrics.webhookDuration.observe(Math.max(0, facts.finishedAt - facts.startedAt) / 1000);
  },
  claimBatch(size: number): void {
    metrics.batchSize.observe({ stage: 'trigger_claim' }, size);
  },
  outcomeBatch(size: number): void {
    metrics.batchSize.observe({ stage: 'trigger_outcome' }, size);
  },
};

/** What a trigger's heartbeat carries (common/process/heartbeat.ts): its lateness histogram, for the dashboard. */
export async function latenessStats(): Promise<{ lateness_buckets: Bucket[] }> {
  return { lateness_buckets: cumulativeBuckets((await metrics.lateness.get()).values) };
}
