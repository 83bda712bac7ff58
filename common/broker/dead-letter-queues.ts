// Reading and moving the messages of the .dead queues, for an operator: peek at the first ones, send
// some or all back to their work queue, or drop them. Every operation works on a channel of its own
// with basic.get without ack, so a message it only looks at stays in the queue: it is nacked back when
// the operation ends (or when the channel closes, if the process dies), and a classic queue puts a
// requeued message back in its place. A requeue publishes the copy to the work queue on that confirm
// channel and acks the dead copy only after the broker confirmed it: a crash in between leaves the
// message in both queues (a duplicate the pipeline drops by its claims), never in neither.
//
// While one operation holds messages (between its basic.get and the end), another sees only the rest:
// two admins peeking at once may each see part of the queue, and a requeue or discard running beside a
// peek reports the ids the peek holds as not found. Running it again finds them.
//
// The broker puts nacked messages back asynchronously, and it answers a queue's count (checkQueue)
// ahead of its other work: a count read at once after an operation may still miss what it looked at,
// whereas the next basic.get, here or on another channel, finds them back.
import type { ConfirmChannel, GetMessage, Options } from 'amqplib';
import type { AmqpClient } from './amqp.js';
import type { QueueNames } from './queue-names.js';
import { deadLetterView, isDeadLetterHeader, type DeadLetterView } from './dead-letter-view.js';
import { DependencyUnavailableError } from '../errors/dependency-unavailable.js';

/** The work queues that have a .dead queue, by the short names the API uses. */
export const DEAD_LETTER_QUEUES = ['incoming_timers', 'timers_to_fire', 'tasks', 'incoming_logs'] as const;
export type DeadLetterQueueName = (typeof DEAD_LETTER_QUEUES)[number];

/** The most messages a requeue or discard looks at in one request; the rest wait for the next one. */
export const MAX_SCANNED = 10_000;
// Requeued copies are confirmed and their dead copies acked in groups: bounded memory, few round trips.
const REQUEUE_GROUP = 100;
// AMQP reply code of an operation on a queue that does not exist.
const NOT_FOUND = 404;

export interface DeadLetterQueue {
  name: DeadLetterQueueName;
  /** the work queue (with QUEUE_PREFIX) */
  queue: string;
  /** its .dead queue */
  dead: string;
}

const KEYS: Record<DeadLetterQueueName, [keyof QueueNames, keyof QueueNames]> = {
  incoming_timers: ['incomingTimers', 'incomingTimersDead'],
  timers_to_fire: ['timersToFire', 'timersToFireDead'],
  tasks: ['tasks', 'tasksDead'],
  incoming_logs: ['incomingLogs', 'incomingLogsDead'],
};

/** The queue pair of a short name, or null when the name is not one of them. */
export function deadLetterQueue(names: QueueNames, name: string): DeadLetterQueue | null {
  if (!(DEAD_LETTER_QUEUES as readonly string[]).includes(name)) return null;
  const [queue, dead] = KEYS[name as DeadLetterQueueName];
  return { name: name as DeadLetterQueueName, queue: names[queue], dead: names[dead] };
}

/** Which messages an operation takes: those with these message ids, or all. */
export type Selection = { all: true } | { messageIds: readonly string[] };

export interface MoveResult {
  /** messages requeued or discarded */
  moved: number;
  /** asked-for ids no message scanned carries */
  notFound: string[];
  scanned: number;
  /** the queue held more than MAX_SCANNED messages when the operation began: the rest were not looked at */
  scanLimitReached: boolean;
}

type Amqp = Pick<AmqpClient, 'withOwnChannel'>;

/** Runs an operation on a .dead queue: null when the broker has no such queue, a 503 error when it fails. */
async function onDeadQueue<T>(amqp: Amqp, dead: string, work: (channel: ConfirmChannel, ready: number) => Promise<T>): Promise<T | null> {
  return amqp.withOwnChannel(`dead letters ${dead}`, async (channel) => {
    try {
      return await work(channel, (await channel.checkQueue(dead)).messageCount);
    } catch (err) {
      if ((err as { code?: unknown }).code === NOT_FOUND) return null;
      if (err instanceof DependencyUnavailableError) throw err;
      throw new DependencyUnavailableError('broker', 'could not read the dead-letter queue', { cause: err });
    }
  });
}

/** The first `limit` messages of a .dead queue, left in it; null when the queue does not exist. */
export function peekDeadLetters(amqp: Amqp, pair: DeadLetterQueue, limit: number): Promise<{ messages: number; deadLetters: DeadLetterView[] } | null> {
  return onDeadQueue(amqp, pair.dead, async (channel, ready) => {
    const deadLetters: DeadLetterView[] = [];
    while (deadLetters.length < limit) {
      const message = await channel.get(pair.dead, { noAck: false });
      if (!message) break;
      deadLetters.push(deadLetterView(message, pair.queue));
    }
    channel.nackAll(true);
    return { messages: ready, deadLetters };
  });
}

/** What a requeued message is published with: its id, type and headers, without the dead-lettering ones. */
function requeueOptions(message: GetMessage): Options.Publish {
  const headers = Object.fromEntries(Object.entries(message.properties.headers ?? {}).filter(([name]) => !isDeadLetterHeader(name)));
  return { persistent: true, messageId: message.properties.messageId as string | undefined, contentType: message.properties.contentType as string | undefined, headers };
}

/**
 * Looks at up to MAX_SCANNED of the messages ready when it begins (not those dead-lettered meanwhile, so a
 * requeued message that comes straight back is not taken twice), hands the selected ones to `take`, then
 * returns the others to the queue.
 */
async function scan(channel: ConfirmChannel, dead: string, ready: number, selection: Selection, take: (message: GetMessage) => Promise<void>): Promise<MoveResult> {
  const wanted = 'all' in selection ? null : new Set(selection.messageIds);
  const found = new Set<string>();
  let moved = 0;
  let scanned = 0;
  while (scanned < Math.min(ready, MAX_SCANNED)) {
    const message = await channel.get(dead, { noAck: false });
    if (!message) break;
    scanned += 1;
    const id = message.properties.messageId as unknown;
    if (wanted && !(typeof id === 'string' && wanted.has(id))) continue;
    if (typeof id === 'string') found.add(id);
    moved += 1;
    await take(message);
  }
  return { moved, notFound: wanted ? [...wanted].filter((id) => !found.has(id)) : [], scanned, scanLimitReached: ready > MAX_SCANNED };
}

/** Returns what was looked at and not taken to the queue, in its place. */
function finish(channel: ConfirmChannel, result: MoveResult): MoveResult {
  channel.nackAll(true);
  return result;
}

/**
 * Publishes the selected messages of a .dead queue to their work queue and acks each dead copy once its
 * publish is confirmed. Every copy of a selected id goes back. Null when the .dead queue does not exist.
 */
export function requeueDeadLetters(amqp: Amqp, pair: DeadLetterQueue, selection: Selection): Promise<MoveResult | null> {
  return onDeadQueue(amqp, pair.dead, async (channel, ready) => {
    let group: GetMessage[] = [];
    const confirmGroup = async () => {
      await channel.waitForConfirms();
      for (const message of group) channel.ack(message);
      group = [];
    };
    const result = await scan(channel, pair.dead, ready, selection, async (message) => {
      channel.publish('', pair.queue, message.content, requeueOptions(message));
      group.push(message);
      if (group.length >= REQUEUE_GROUP) await confirmGroup();
    });
    await confirmGroup();
    return finish(channel, result);
  });
}

/** Acks (drops) the selected messages of a .dead queue. Null when the .dead queue does not exist. */
export function discardDeadLetters(amqp: Amqp, pair: DeadLetterQueue, selection: Selection): Promise<MoveResult | null> {
  return onDeadQueue(amqp, pair.dead, async (channel, ready) => {
    const result = await scan(channel, pair.dead, ready, selection, async (message) => channel.ack(message));
    return finish(channel, result);
  });
}
