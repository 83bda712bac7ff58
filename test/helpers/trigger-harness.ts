// For the trigger's integration tests: a test's own databases and broker topology, a webhook receiver
// on loopback, and trigger handlers on timers_to_fire whose acks and nacks the test can await. The
// returned object's data fields are set before each test; its functions read them when called.
import type { QueryResultRow } from 'pg';
import type { AmqpClient } from '../../common/broker/amqp.js';
import { deadLetterer } from '../../common/broker/dead-letter.js';
import { encodeMessage, type DueTimer } from '../../common/messages/timer-message.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { shardOf } from '../../common/store/shard.js';
import { AddressPolicy, LOOPBACK_CIDRS } from '../../common/webhooks/callback-address.js';
import { createAgents } from '../../trigger/deliver-webhook.js';
import { dueTimerHandler, type TriggerDeps } from '../../trigger/handle-due.js';
import { HostLimiter } from '../../trigger/host-limiter.js';
import type { WebhookSigner } from '../../trigger/sign-webhook.js';
import { connectTestBroker, deleteTopology } from './broker.js';
import { createTestDatabases, type TestDatabases } from './databases.js';
import { silentLogger } from './logger.js';
import { WebhookReceiver } from './webhook-receiver.js';

/** The delivery defaults the harness's triggers start with. */
export const DELIVERY = { maxAttempts: 3, backoffMs: 10_000, maxBackoffMs: 3_600_000, timeoutMs: 2_000 };

type Handler = ReturnType<typeof dueTimerHandler>;

export interface TriggerHarness {
  dbs: TestDatabases;
  amqp: AmqpClient;
  receiver: WebhookReceiver;
  receiverUrl: string;
  agents: ReturnType<typeof createAgents>;
  /** every message a trigger settled, in order */
  settled: Array<{ id: string; kind: 'ack' | 'nack'; requeue: boolean }>;
  /** starts a trigger handler on timers_to_fire; `overrides` change its dependencies */
  startTrigger(prefetch: number, overrides?: Partial<TriggerDeps>): Promise<Handler>;
  /** a timer due now in the main database, for the receiver's `path` */
  scheduledTimer(path?: string): Promise<DueTimer>;
  /** resolves once `count` messages have been settled in all */
  settledCount(count: number): Promise<void>;
  /** a due timer's message on timers_to_fire, as a poller publishes it */
  publish(timer: DueTimer): Promise<void>;
  /** a timer's row as the trigger leaves it */
  timerRow(id: string): Promise<QueryResultRow>;
  /** the instant of a timer's row in its shard; null: none */
  shardRowAt(id: string): Promise<number | null>;
}

/** useTriggerHarness(sign): the harness, set up before and torn down after each test; its agents sign with `sign`. */
export function useTriggerHarness(sign?: WebhookSigner): TriggerHarness {
  let onSettled: () => void = () => undefined;
  let handlers: Handler[] = [];
  // The data fields are set before each test (beforeEach below); the functions read them when called.
  const h = { settled: [] } as unknown as TriggerHarness;
  h.startTrigger = async (prefetch, overrides = {}) => {
    const due = dueTimerHandler({
      main: h.dbs.main,
      shards: h.dbs.shards,
      agents: h.agents,
      hosts: new HostLimiter({ concurrency: 16, ratePerSecond: 0, maxWaiting: 16, stallMs: 1_000 }),
      deadLetter: deadLetterer(h.amqp, silentLogger()),
      delivery: DELIVERY,
      log: silentLogger(),
      now: Date.now,
      random: () => 1,
      ...overrides,
    });
    handlers.push(due);
    await h.amqp.consume(h.amqp.names.timersToFire, prefetch, (message, channel) => {
      const id = message.properties.messageId as string;
      const observed = Object.create(channel) as typeof channel;
      observed.ack = (m) => {
        channel.ack(m);
        h.settled.push({ id, kind: 'ack', requeue: false });
        onSettled();
      };
      observed.nack = (m, allUpTo, requeue) => {
        channel.nack(m, allUpTo, requeue);
        h.settled.push({ id, kind: 'nack', requeue: requeue ?? true });
        onSettled();
      };
      due.handle(message, observed);
    });
    return due;
  };
  h.scheduledTimer = async (path = '/hook') => {
    const timer = { id: newTimerId(), url: `${h.receiverUrl}${path}`, fire_at: Date.now() };
    await h.dbs.main.query('INSERT INTO timers (id, url, fire_at, created_at) VALUES ($1, $2, to_timestamp($3 / 1000.0), now())', [timer.id, timer.url, timer.fire_at]);
    return timer;
  };
  h.settledCount = (count) =>
    new Promise<void>((resolve) => {
      onSettled = () => h.settled.length >= count && resolve();
      onSettled();
    });
  h.publish = (timer) => h.amqp.publish(h.amqp.names.timersToFire, encodeMessage(timer), { messageId: timer.id });
  h.timerRow = async (id) => (await h.dbs.main.query('SELECT state, attempts, last_status, last_error, delivered_at, next_attempt_at, attempt_log, held_on FROM timers WHERE id = $1', [id])).rows[0]!;
  h.shardRowAt = async (id) => {
    const shard = h.dbs.shards[shardOf(id, h.dbs.shards.length)]!;
    const row = (await shard.query<{ at: string }>('SELECT (extract(epoch FROM fire_at) * 1000)::bigint AS at FROM timers_to_fire WHERE id = $1', [id])).rows[0];
    return row ? Number(row.at) : null;
  };

  beforeEach(async () => {
    h.dbs = await createTestDatabases(2);
    h.amqp = await connectTestBroker();
    h.receiver = new WebhookReceiver();
    h.receiverUrl = await h.receiver.listen();
    h.agents = createAgents(16, new AddressPolicy(LOOPBACK_CIDRS), sign);
    h.settled = [];
    onSettled = () => undefined;
    handlers = [];
  });

  afterEach(async () => {
    for (const due of handlers) due.stop();
    await h.amqp.close();
    await deleteTopology(h.amqp.names);
    await h.agents.destroy();
    await h.receiver.close();
    await h.dbs.drop();
  });

  return h;
}
