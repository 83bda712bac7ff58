// Handles timers_to_fire deliveries (one due timer, or a poller's batch of them): for each timer claim
// (batched), POST the webhook, record the outcome (batched); then ack the message; a timer whose target is task:<id> publishes that task to the tasks queue instead (a delayed
// task). A failed attempt that may succeed later is put back through the timer machinery for its
// retry; a stalled or rate-limited host gets its timer deferred the same way. A duplicate is acked and dropped;
// a timer another trigger holds is re-checked when that claim expires; an undecodable message is
// dead-lettered; an unreachable database requeues after a pause. An outcome that a timer's callback
// tells (delivered, or failed for good) makes the callback timer in the same statement, and the
// callback's shard row is written before the message is acked; a copy of the message that finds the
// outcome written writes that row again, should the trigger have stopped in between.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Pool } from '../common/db/pool.js';
import type { Logger } from '../common/observability/logger.js';
import { Batcher } from '../common/batch/batcher.js';
import { dueTimersMessage, timersOf, type DueTimer } from '../common/messages/timer-message.js';
import { decodeOrDeadLetter, settleWhenDone } from '../common/broker/settle-message.js';
import type { DeadLetter } from '../common/broker/dead-letter.js';
import { claimAttempts, type Claimed, type ClaimResult, type Told } from './claim-attempts.js';
import { recordOutcomes, waitingAmong, type NewCallback, type Outcome } from '../common/store/timers.js';
import { ATTEMPT_BODY_MAX_BYTES, CALLBACK_BODY_MAX_BYTES, RECORDED_HEADERS, callbackId, responseRecord, timerCallbackBody, type ResponseRecord } from '../common/webhooks/callbacks.js';
import { fireAgainBatched } from '../common/store/timers-to-fire.js';
import { deliverWebhook, Interrupts, type Agents } from './deliver-webhook.js';
import type { HostLimiter } from './host-limiter.js';
import { verdict, type RetryPolicy } from './retry-policy.js';
import type { AmqpClient } from '../common/broker/amqp.js';
import { taskIdOfTarget } from '../common/tasks/task-timer.js';
import { dispatchTask } from './dispatch-task.js';
import { recordAttemptMetrics } from './attempt-metrics.js';
import { InFlight } from '../common/batch/in-flight.js';
import { advanceSchedules, type ClaimedRun } from '../common/schedules/chain.js';
import { flowKeyId } from '../common/store/flow-keys.js';
import { flowGate, holdOn } from './flow-gate.js';
import { startReleases, type Released } from './release-held.js';
import { hostGate, watchPauses, type Gate } from './flow-pauses.js';
import type { Answer } from './flow-capacity.js';

// A claim outlives the webhook timeout by this much, so a live trigger always records its outcome first.
const CLAIM_MARGIN_MS = 5_000;
// A retry may be claimed this long before it is due (pollers publish a little ahead); it is sent on time.
const CLAIM_EARLY_MS = 2_000;
const REQUEUE_DELAY_MS = 1_000;
// A timer whose host is stalled or rate-limited comes back this much later.
const DEFER_MS = 1_000;
const BATCH_MAX = 1_000;
const OUTCOME_LINGER_MS = 20;
// A flow key's rate lets a timer go when its slot is this close; it waits here for the slot.
const FLOW_HORIZON_MS = 1_000;
// A timer a release lets go keeps its place this long on its way back through its shard to a trigger.
const FLOW_RETURN_MS = 10_000;
// Timers of limited keys a trigger's releases have claimed and are delivering, at most.
const RELEASED_IN_FLIGHT_MAX = 1_000;
// A receiver's Retry-After pauses its key or host at most this long.
const MAX_RETRY_AFTER_PAUSE_MS = 3_600_000;

export interface TriggerDeps {
  main: Pool;
  shards: Pool[];
  agents: Agents;
  hosts: HostLimiter;
  deadLetter: DeadLetter;
  /** the configured defaults; a timer may override each */
  delivery: RetryPolicy & { timeoutMs: number };
  log: Logger;
  now: () => number;
  random?: () => number;
  /** a timer put back due within this long signals the shard's pollers (POLLER_LOOKAHEAD_MS; none: no signal) */
  dueSoonMs?: number;
  /** a schedule's run claimed later than this after its instant was missed (SCHEDULE_MISSED_AFTER_MS; default a minute) */
  scheduleMissedAfterMs?: number;
  /** publishes due tasks (timers whose url is task:<id>) to the tasks queue */
  amqp?: AmqpClient;
}

const noop = () => undefined;

/** The outcome of an attempt, as a callback tells it. */
interface AttemptOutcome {
  timer: DueTimer;
  claim: Claimed;
  state: Outcome['state'];
  status: number | null;
  error: string | null;
  startedAt: number;
  finishedAt: number;
}

/** callbackOf(outcome, response): the callback a final outcome makes (delivered: callback_url; failed for good: failure_callback_url), or null. */
function callbackOf(o: AttemptOutcome, response: ResponseRecord | null): NewCallback | null {
  const outcome = o.state === 'delivered' || o.state === 'failed' ? o.state : null;
  const url = outcome === 'delivered' ? o.claim.callbacks.success : outcome === 'failed' ? o.claim.callbacks.failure : null;
  if (outcome === null || url === null) return null;
  const body = timerCallbackBody({
    timerId: o.timer.id,
    outcome,
    url: o.claim.request.url,
    scheduleId: o.claim.run?.scheduleId ?? null,
    instant: o.claim.run?.instant ?? null,
    attempts: o.claim.attempt,
    series: o.claim.series,
    status: o.status,
    error: o.error,
    response,
    fireAt: o.timer.fire_at,
    startedAt: o.startedAt,
    finishedAt: o.finishedAt,
  });
  return { id: callbackId(o.timer.id, o.claim.series, outcome, outcome === 'delivered' ? 'callback_url' : 'failure_callback_url'), url, body: JSON.stringify(body), outcome };
}

export function dueTimerHandler(deps: TriggerDeps) {
  const { main, shards, log, now } = deps;
  const random = deps.random ?? Math.random;
  // Rows put back into a shard (retries, deferrals, re-checks) go in batches, one statement per shard.
  const fireAgainAt = fireAgainBatched(shards, BATCH_MAX, 2, deps.dueSoonMs ?? null);
  const claims = new Batcher<string, ClaimResult>(
    (ids) => {
      recordAttemptMetrics.claimBatch(ids.length);
      return claimAttempts(main, ids, { now: now(), marginMs: CLAIM_MARGIN_MS, earlyMs: CLAIM_EARLY_MS, defaults: deps.delivery });
    },
    BATCH_MAX,
    2,
  );
  // Outcomes are written after the webhook has left, so they may wait a little for company: at a steady
  // rate each timer fires on its own, and without the wait every outcome would be its own statement.
  const outcomes = Batcher.forWork<Outcome>(
    async (batch) => {
      recordAttemptMetrics.outcomeBatch(batch.length);
      const made = await recordOutcomes(main, batch);
      // The callbacks' shard rows, before the messages of their outcomes are acked.
      await Promise.all(made.map((callback) => fireAgainAt(callback, callback.fire_at)));
    },
    BATCH_MAX,
    2,
    OUTCOME_LINGER_MS,
  );
  const schedules = { main, shards, dueSoonMs: deps.dueSoonMs ?? null };
  // Schedules' runs claimed together advance their schedules in one transaction.
  const advances = new Batcher<ClaimedRun, { deliver: boolean }>((runs) => advanceSchedules(schedules, runs, now(), deps.scheduleMissedAfterMs), BATCH_MAX, 2);
  // Flow control: pauses known to this trigger, the gate of flow keys, the releases of held timers.
  const pauses = watchPauses(main, now, log);
  // Timers of limited keys that this trigger's releases claimed, being delivered now (bounded).
  let releasedInFlight = 0;
  const releases = startReleases(
    {
      main,
      shards,
      now,
      horizonMs: FLOW_HORIZON_MS,
      leaseMs: FLOW_RETURN_MS + deps.delivery.timeoutMs + CLAIM_MARGIN_MS,
      dueSoonMs: deps.dueSoonMs ?? null,
      claim: { marginMs: CLAIM_MARGIN_MS, earlyMs: CLAIM_EARLY_MS, defaults: deps.delivery },
      budget: () => RELEASED_IN_FLIGHT_MAX - releasedInFlight,
      deliver: (released) => {
        for (const item of released) void inFlight.track(deliverReleased(item));
      },
    },
    log,
  );
  const gate = flowGate(main, { now, horizonMs: FLOW_HORIZON_MS, onLeasesEnded: releases.kick });
  const inFlight = new InFlight();
  // Cut when a drain's grace period ends: webhooks still in flight are cut and retried at once.
  const interrupts = new Interrupts();

  async function fire(timer: DueTimer): Promise<void> {
    // A delayed task goes to the tasks queue: there is no callback host to limit.
    if (taskIdOfTarget(timer.url))
      return attempt(
        timer,
        () => undefined,
        () => undefined,
      );
    const host = new URL(timer.url).host;
    const release = await deps.hosts.acquire(host);
    if (!release) {
      log.debug({ timer_id: timer.id, host, ...deps.hosts.load(host) }, 'host stalled or rate-limited; timer deferred');
      return fireAgainAt(timer, now() + DEFER_MS);
    }
    try {
      await attempt(timer, release, () => deps.hosts.started(host));
    } finally {
      release();
    }
  }

  /** `release` frees the host's slot once the answer is in; `leaving` tells the limiter the request is leaving now. */
  async function attempt(timer: DueTimer, release: () => void, leaving: () => void): Promise<void> {
    const claim = await claims.add(timer.id);
    if (claim.kind === 'done') {
      if (claim.told) await tellAgain(timer.id, claim.told);
      return;
    }
    // Held by another trigger, or due later than this copy says: back through the shard for that instant.
    if (claim.kind === 'held' || claim.kind === 'early') return fireAgainAt(timer, claim.until);
    // A schedule's run materialises the next one before it is delivered (or is skipped: overlap, catch-up).
    if (claim.run && claim.series === 1) {
      const step = await advances.add({ id: timer.id, scheduleId: claim.run.scheduleId, instant: claim.run.instant, attempt: claim.attempt });
      if (!step.deliver) return;
    }
    const taskId = taskIdOfTarget(timer.url);
    const host = taskId ? null : new URL(claim.request.url).host;
    // Flow control: a timer with a key, or under a pause, asks for capacity; without it waits held.
    const key = claim.flowKey === null ? null : flowKeyId('key', claim.ownerId, claim.flowKey);
    const under = pauses.pausesFor(host);
    let answer: Answer = { kind: 'go', startAt: 0, lease: null };
    if (key !== null || under.length > 0) {
      answer = await gate.ask({ timerId: timer.id, attempt: claim.attempt, pauses: under, key, lease: null, leaseMs: claim.timeoutMs + CLAIM_MARGIN_MS + FLOW_HORIZON_MS });
      if (answer.kind === 'held') {
        log.debug({ timer_id: timer.id, held_on: answer.on }, 'timer held: its flow key has no capacity or is paused');
        return;
      }
    }
    const lease = answer.lease;
    try {
      await send(timer, claim, answer.startAt, host, taskId, release, leaving);
    } finally {
      if (lease) void gate.end(lease);
    }
  }

  /** A written outcome's callback, if it still waits, gets its shard row again (its writer may have stopped before writing it). */
  async function tellAgain(timerId: string, told: Told): Promise<void> {
    const slot = told.outcome === 'delivered' ? 'callback_url' : 'failure_callback_url';
    const waiting = await waitingAmong(main, [callbackId(timerId, told.series, told.outcome, slot)]);
    await Promise.all(waiting.map((callback) => fireAgainAt(callback, callback.fire_at)));
  }

  /**
   * Delivers a timer a release claimed for this trigger, at its slot, then gives its lease back. Should
   * anything fail, its claim lapses and its shard row (written by the release) brings it back.
   */
  async function deliverReleased({ timer, claim, lease }: Released): Promise<void> {
    releasedInFlight += 1;
    try {
      const taskId = taskIdOfTarget(timer.url);
      await send(timer, claim, lease.startAt, taskId ? null : new URL(claim.request.url).host, taskId, noop, noop);
    } catch (err) {
      log.warn({ timer_id: timer.id, err: (err as Error).message }, 'a released timer could not be delivered; it comes back when its claim expires');
    } finally {
      releasedInFlight -= 1;
      void gate.end(lease);
    }
  }

  /** Sends a claimed timer at its due instant (or its key's slot), records the outcome, or holds it under a receiver's Retry-After. */
  async function send(timer: DueTimer, claim: Claimed, slotAt: number, host: string | null, taskId: string | null, release: () => void, leaving: () => void): Promise<void> {
    // Pollers publish a little ahead (POLLER_PUBLISH_AHEAD_MS) so that the broker hop and the claim are
    // done by the due instant; the webhook itself leaves at its due time, never before.
    const dueAt = Math.max(timer.fire_at, claim.notBefore ?? 0, slotAt);
    while (now() < dueAt) await new Promise((resolve) => setTimeout(resolve, dueAt - now()));
    const startedAt = now();
    leaving();
    // A timer whose outcome a callback tells keeps as much of the answer as the callback carries.
    const keepBytes = claim.callbacks.success !== null || claim.callbacks.failure !== null ? CALLBACK_BODY_MAX_BYTES : ATTEMPT_BODY_MAX_BYTES;
    const result = taskId ? await dispatchTask(deps.amqp, taskId) : await deliverWebhook(claim.request, timer.id, deps.agents, claim.timeoutMs, interrupts, keepBytes);
    const finishedAt = now();
    release();
    // A receiver that asks for time (429 or 503 with Retry-After) pauses the timer's key, or its host
    // when it has none, until then; the timer waits held on it and the attempt does not count.
    const gateOf: Gate | null = claim.flowKey !== null ? { kind: 'key', ownerId: claim.ownerId, key: claim.flowKey } : host !== null ? hostGate(host) : null;
    if (gateOf && !result.delivered && (result.status === 429 || result.status === 503) && result.retryAfterMs !== null && result.retryAfterMs > 0) {
      const until = finishedAt + Math.min(result.retryAfterMs, MAX_RETRY_AFTER_PAUSE_MS);
      const reason = `the receiver answered ${result.status} with Retry-After: paused until ${new Date(until).toISOString()}`;
      const heldOn = await pauses.pause(gateOf, until, reason);
      recordAttemptMetrics.attempt({ webhook: !taskId, attempt: claim.attempt, dueAt, startedAt, finishedAt, status: result.status, state: 'held' });
      log.info({ timer_id: timer.id, status: result.status, paused: gateOf.kind, until: new Date(until).toISOString() }, 'receiver asked for time; its key or host is paused and the timer held');
      await holdOn(main, [{ id: timer.id, attempt: claim.attempt, heldOn, reason }]);
      return;
    }
    const next = verdict(result, claim.attempt, claim.policy, finishedAt, random);
    const nextAttemptAt = next.state === 'retrying' ? next.at : null;
    recordAttemptMetrics.attempt({ webhook: !taskId, attempt: claim.attempt, dueAt, startedAt, finishedAt, status: result.status, state: next.state });
    const ids = { timer_id: timer.id, request_id: claim.requestId ?? undefined };
    log.debug({ ...ids, attempt: claim.attempt, lateness_ms: startedAt - dueAt, status: result.status, state: next.state }, 'webhook attempted');
    if (!result.delivered) log.info({ ...ids, attempt: claim.attempt, error: result.error, state: next.state, next_attempt_at: nextAttemptAt }, 'webhook failed');
    // The retry's row goes into the shard before the timer is marked retrying, so a crash in between
    // leaves at worst an extra attempt, never a timer that waits for nothing.
    if (nextAttemptAt !== null) await fireAgainAt(timer, nextAttemptAt);
    const response = result.answer ? responseRecord(result.answer, ATTEMPT_BODY_MAX_BYTES, RECORDED_HEADERS) : null;
    const told = { timer, claim, state: next.state, status: result.status, error: result.error, startedAt, finishedAt };
    await outcomes.add({
      id: timer.id,
      attempt: claim.attempt,
      series: claim.series,
      state: next.state,
      startedAt,
      finishedAt,
      status: result.status,
      error: result.error,
      nextAttemptAt,
      response,
      callback: callbackOf(told, result.answer ? responseRecord(result.answer, CALLBACK_BODY_MAX_BYTES, null) : null),
    });
  }

  /**
   * Every timer of a message, each on its own; the message is settled when all are done. The first
   * failure decides (an unreachable database requeues the message: its timers already done are then
   * dropped by their claim; an error in our code dead-letters it).
   */
  async function fireAll(timers: DueTimer[]): Promise<void> {
    const results = await Promise.allSettled(timers.map(fire));
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  const handle = (message: ConsumeMessage, channel: Channel): void => {
    const decoded = decodeOrDeadLetter(dueTimersMessage, message, channel, deps.deadLetter);
    if (!decoded) return;
    const timers = timersOf(decoded);
    const fields = timers.length === 1 ? { timer_id: timers[0]!.id } : { timer_ids: timers.map((t) => t.id), timers: timers.length };
    const work = settleWhenDone(fireAll(timers), message, channel, deps.deadLetter, log, fields, REQUEUE_DELAY_MS);
    void inFlight.track(work);
  };

  /**
   * Graceful stop: waits up to graceMs for the deliveries under way, then cuts the rest short. A cut
   * attempt is recorded and its timer handed back through its shard, due at once, before the ack.
   */
  const drain = async (graceMs: number) => {
    const cut = setTimeout(() => interrupts.abortAll(), graceMs);
    await inFlight.drained();
    clearTimeout(cut);
  };
  /** Stops the flow-control sweeps (after the drain). */
  const stop = () => {
    releases.stop();
    pauses.stop();
  };
  return { handle, drain, stop };
}
