// Handles timers_to_fire deliveries: claim (batched), POST the webhook, record the outcome (batched),
// then ack. A duplicate is acked and dropped; a timer another trigger holds is re-checked when that
// claim expires; an undecodable message is dead-lettered; an unreachable database requeues after a pause.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Pool } from '../common/db.js';
import type { Logger } from '../common/logger.js';
import { Batcher } from '../common/batcher.js';
import { shardOf } from '../common/shard.js';
import { dueTimerMessage, type DueTimer } from '../common/timer-message.js';
import { decodeOrDeadLetter, safeSettle, settleWhenDone } from '../common/settle-message.js';
import { claimTimers, recordOutcomes, type ClaimResult, type Outcome } from './claim-timers.js';
import { recheckAt } from './recheck-held.js';
import { deliverWebhook, type Agents } from './deliver-webhook.js';
import type { AmqpClient } from '../common/amqp.js';
import { taskIdOfTarget } from '../common/task-message.js';
import { dispatchTask } from './dispatch-task.js';

// A claim outlives the webhook timeout by this much, so a live trigger always records its outcome first.
const CLAIM_MARGIN_MS = 5_000;
const REQUEUE_DELAY_MS = 1_000;
const BATCH_MAX = 1_000;

export interface TriggerDeps {
  main: Pool;
  shards: Pool[];
  agents: Agents;
  webhookTimeoutMs: number;
  log: Logger;
  now: () => number;
  /** publishes due tasks (timers whose url is task:<id>) to the tasks queue */
  amqp?: AmqpClient;
}

export function dueTimerHandler(deps: TriggerDeps) {
  const { main, shards, log, now } = deps;
  const claims = new Batcher<string, ClaimResult>((ids) => {
    const at = now();
    return claimTimers(main, ids, at, at + deps.webhookTimeoutMs + CLAIM_MARGIN_MS);
  }, BATCH_MAX, 2);
  const outcomes = new Batcher<Outcome>(async (batch) => {
    await recordOutcomes(main, batch);
    return batch.map(() => undefined);
  }, BATCH_MAX, 2);
  const inFlight = new Set<Promise<void>>();

  async function fire(timer: DueTimer): Promise<void> {
    const claim = await claims.add(timer.id);
    if (claim.kind === 'done') return;
    if (claim.kind === 'held') return recheckAt(shards[shardOf(timer.id, shards.length)]!, timer, claim.until);
    // Pollers publish a little ahead (POLLER_PUBLISH_AHEAD_MS) so that the broker hop and the claim are
    // done by the due instant; the webhook itself leaves at fire_at, never before.
    while (now() < timer.fire_at) await new Promise((resolve) => setTimeout(resolve, timer.fire_at - now()));
    const taskId = taskIdOfTarget(timer.url);
    const result = taskId ? await dispatchTask(deps.amqp, taskId) : await deliverWebhook(timer.url, timer.id, deps.agents, deps.webhookTimeoutMs);
    const at = now();
    log.debug({ timer_id: timer.id, attempt: claim.attempt, lateness_ms: at - timer.fire_at, status: result.status }, 'webhook attempted');
    if (!result.delivered) log.info({ timer_id: timer.id, attempt: claim.attempt, error: result.error }, 'webhook failed');
    await outcomes.add({ id: timer.id, delivered: result.delivered, at, status: result.status, error: result.error });
  }

  const settle = safeSettle(log);

  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const timer = decodeOrDeadLetter(dueTimerMessage, message, channel, settle, log);
    if (!timer) return;
    const work = settleWhenDone(fire(timer), message, channel, settle, log, { timer_id: timer.id }, REQUEUE_DELAY_MS);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  /** Waits for the deliveries under way (graceful stop). */
  const drain = async () => {
    await Promise.allSettled([...inFlight]);
  };
  return { handle, drain };
}
