// Integration: the dead-letter routes on real RabbitMQ (a queue prefix of its own per test) and
// PostgreSQL (the users behind the tokens): a message dead-lettered by the dead-letterer and one the
// broker dead-lettered after a nack are listed with their reasons and bodies and stay in the queue;
// requeue and discard take exactly the messages asked for; who may call them; bad input; no broker.
// Every answer is checked against the OpenAPI description.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import amqplib, { type Channel, type ConsumeMessage, type GetMessage } from 'amqplib';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames, type QueueNames } from '../../common/broker/queue-names.js';
import { deadLetterer } from '../../common/broker/dead-letter.js';
import { decodeOrDeadLetter } from '../../common/broker/settle-message.js';
import { incomingTimersMessage } from '../../common/messages/timer-message.js';
import { insertUser } from '../../common/store/users.js';
import { issueToken } from '../../common/auth/tokens.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { AMQP_URL, connectTestBroker, deleteTopology, readyCount, testQueuePrefix } from '../../test/helpers/broker.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { AppServers } from '../../test/helpers/app-servers.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { testTokens } from '../../test/helpers/user-api.js';
import { watchAnswers } from '../../test/helpers/checked-answers.js';
import { createApp } from '../app.js';
import { deadLetterPeekAnswer, deadLetterQueuesAnswer, discardAnswer, requeueAnswer } from '../openapi/openapi.js';

jest.setTimeout(60_000);

const log = silentLogger();
let dbs: TestDatabases;
let adminToken: string;
let userToken: string;
const servers = new AppServers();
let amqp: AmqpClient;
let names: QueueNames;
let base: string;
const unwatch: Array<() => void> = [];

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  for (const role of ['admin', 'user'] as const) {
    const user = await insertUser(dbs.main, { id: newTimerId(), email: `${role}@example.com`, name: null, passwordHash: 'x', role });
    if (user === 'taken') throw new Error('taken');
    const { access_token } = await issueToken(testTokens, user.id);
    if (role === 'admin') adminToken = access_token;
    else userToken = access_token;
  }
});

afterAll(async () => {
  await servers.closeAll();
  await dbs.drop();
});

/** The app on a broker client of its own. */
async function listen(client: AmqpClient): Promise<string> {
  const auth = { mainDb: dbs.main, tokens: testTokens, required: false, adminEmails: ['admin@example.com'] };
  const url = await servers.listen(createApp(appDeps({ amqp: client, mainDb: dbs.main, log, auth })));
  unwatch.push(watchAnswers(url));
  return url;
}

beforeEach(async () => {
  amqp = await connectTestBroker(testQueuePrefix());
  names = amqp.names;
  base = await listen(amqp);
});

afterEach(async () => {
  unwatch.splice(0).forEach((stop) => stop());
  await amqp.close();
  await deleteTopology(names);
});

async function call(path: string, opts: { token?: string | null; body?: unknown } = {}) {
  const token = opts.token === undefined ? adminToken : opts.token;
  const res = await fetch(`${base}${path}`, {
    method: opts.body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Publishes a message to incoming_timers, takes it back with basic.get and hands it to `settle`. */
async function takeFromIncoming(id: string, body: string, settle: (message: GetMessage, channel: Channel) => Promise<void>): Promise<void> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    channel.sendToQueue(names.incomingTimers, Buffer.from(body), { messageId: id, contentType: 'application/json', headers: { 'x-request-id': `request-${id}` } });
    let message: GetMessage | false = false;
    while (!message) message = await channel.get(names.incomingTimers, { noAck: false });
    await settle(message, channel);
    // Closing the channel first sends its ack or nack before the connection's close (amqplib interleaves channels).
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** A message the consumer's decoding refuses, dead-lettered by the real dead-letterer (with x-dead-reason). */
function deadLetterUndecodable(id: string, body = `{"timers": "${id}"}`): Promise<void> {
  return takeFromIncoming(id, body, async (message, channel) => {
    let acked!: () => void;
    const ack = new Promise<void>((resolve) => (acked = resolve));
    // The dead-letterer acks once the broker confirmed the .dead copy: that ack is what is awaited.
    const watched = { ack: (m: GetMessage) => (channel.ack(m), acked()), nack: (m: GetMessage, all?: boolean, requeue?: boolean) => (channel.nack(m, all, requeue), acked()) };
    const delivery = message as unknown as ConsumeMessage;
    expect(decodeOrDeadLetter(incomingTimersMessage, delivery, watched as unknown as Channel, deadLetterer(amqp, log))).toBeNull();
    await ack;
  });
}

/**
 * Awaits a queue's ready count: the broker puts nacked messages back on its own time, and answers a
 * count ahead of them (common/broker/dead-letter-queues.ts). A message lost would time the test out.
 */
async function awaitReady(queue: string, count: number): Promise<void> {
  while ((await readyCount(queue)) !== count) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A message nacked without requeue: the broker dead-letters it through the dead_letter exchange (x-death only). */
async function nackToDeadLetterExchange(id: string, body: string): Promise<void> {
  const before = await readyCount(names.incomingTimersDead);
  await takeFromIncoming(id, body, async (message, channel) => channel.nack(message, false, false));
  // The broker routes it on its own time: awaited by its arrival in the .dead queue.
  await awaitReady(names.incomingTimersDead, before + 1);
}

/** What the work queue holds now: message ids and headers, taken off it. */
async function drain(queue: string): Promise<Array<{ id: unknown; headers: Record<string, unknown> }>> {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const found: Array<{ id: unknown; headers: Record<string, unknown> }> = [];
    for (let got = await channel.get(queue, { noAck: true }); got; got = await channel.get(queue, { noAck: true })) found.push({ id: got.properties.messageId, headers: got.properties.headers ?? {} });
    return found;
  } finally {
    await connection.close();
  }
}

const peekIds = async (queue = 'incoming_timers') => deadLetterPeekAnswer.parse((await call(`/dead-letters/${queue}`)).body).dead_letters.map((d) => d.message_id);

describe('reading dead letters', () => {
  it('lists every .dead queue with its count', async () => {
    await deadLetterUndecodable('poison-1');
    await nackToDeadLetterExchange('nacked-1', 'plain text');
    const { status, body } = await call('/dead-letters');
    expect(status).toBe(200);
    const answer = deadLetterQueuesAnswer.parse(body);
    expect(answer.queues.map((q) => [q.queue, q.dead_letter_queue, q.messages])).toEqual([
      ['incoming_timers', names.incomingTimersDead, 2],
      ['timers_to_fire', names.timersToFireDead, 0],
      ['tasks', names.tasksDead, 0],
      ['incoming_logs', names.incomingLogsDead, 0],
    ]);
    expect(answer.messages).toBe(2);
  });

  it("shows the dead-letterer's reason and a nacked message's x-death reason with their bodies, and leaves both in the queue", async () => {
    await deadLetterUndecodable('poison-1');
    await nackToDeadLetterExchange('nacked-1', 'plain text');
    const { status, body } = await call('/dead-letters/incoming_timers');
    expect(status).toBe(200);
    const answer = deadLetterPeekAnswer.parse(body);
    expect(answer.messages).toBe(2);
    const [poison, nacked] = answer.dead_letters;
    expect(poison).toMatchObject({ message_id: 'poison-1', from_queue: names.incomingTimers, body: { timers: 'poison-1' }, body_format: 'json', truncated: false });
    expect(poison!.reason).toMatch(/^undecodable: message has the wrong shape/);
    expect(Date.parse(poison!.dead_lettered_at!)).not.toBeNaN();
    expect(nacked).toMatchObject({ message_id: 'nacked-1', from_queue: names.incomingTimers, body: 'plain text', body_format: 'text', body_bytes: 10, truncated: false });
    expect(nacked!.reason).toBe(`rejected in ${names.incomingTimers} (x-death, count 1)`);
    expect(Date.parse(nacked!.dead_lettered_at!)).not.toBeNaN();

    await awaitReady(names.incomingTimersDead, 2);
    expect(await peekIds()).toEqual(['poison-1', 'nacked-1']);
    expect(deadLetterPeekAnswer.parse((await call('/dead-letters/incoming_timers?limit=1')).body).dead_letters.map((d) => d.message_id)).toEqual(['poison-1']);
    await awaitReady(names.incomingTimersDead, 2);
    expect(await peekIds()).toEqual(['poison-1', 'nacked-1']);
  });

  it('answers 404 naming an unknown queue', async () => {
    for (const res of [await call('/dead-letters/nope'), await call('/dead-letters/nope/requeue', { body: { all: true } }), await call('/dead-letters/nope/discard', { body: { all: true } })]) {
      expect(res.status).toBe(404);
      expect(res.body.message).toContain('nope');
    }
  });
});

describe('requeue', () => {
  it('moves exactly the asked-for message back to its queue without the dead-lettering headers; the others stay in order', async () => {
    for (const id of ['p1', 'p2', 'p3']) await deadLetterUndecodable(id);
    const { status, body } = await call('/dead-letters/incoming_timers/requeue', { body: { message_ids: ['p2', 'missing'] } });
    expect(status).toBe(200);
    expect(requeueAnswer.parse(body)).toEqual({ queue: 'incoming_timers', requeued: 1, not_found: ['missing'], scanned: 3, scan_limit_reached: false });
    const back = await drain(names.incomingTimers);
    expect(back.map((m) => m.id)).toEqual(['p2']);
    expect(back[0]!.headers).toEqual({ 'x-request-id': 'request-p2' });
    expect(await peekIds()).toEqual(['p1', 'p3']);
  });

  it('moves all of them back', async () => {
    await deadLetterUndecodable('p1');
    await nackToDeadLetterExchange('n1', 'text');
    const { body } = await call('/dead-letters/incoming_timers/requeue', { body: { all: true } });
    expect(requeueAnswer.parse(body)).toMatchObject({ requeued: 2, not_found: [], scanned: 2 });
    const back = await drain(names.incomingTimers);
    expect(back.map((m) => m.id)).toEqual(['p1', 'n1']);
    expect(back.every((m) => Object.keys(m.headers).every((name) => !name.startsWith('x-dead') && name !== 'x-death'))).toBe(true);
    expect(await readyCount(names.incomingTimersDead)).toBe(0);
  });
});

describe('discard', () => {
  it('drops the asked-for messages, then all', async () => {
    for (const id of ['p1', 'p2', 'p3']) await deadLetterUndecodable(id);
    const one = await call('/dead-letters/incoming_timers/discard', { body: { message_ids: ['p1'] } });
    expect(discardAnswer.parse(one.body)).toEqual({ queue: 'incoming_timers', discarded: 1, not_found: [], scanned: 3, scan_limit_reached: false });
    expect(await peekIds()).toEqual(['p2', 'p3']);
    const all = await call('/dead-letters/incoming_timers/discard', { body: { all: true } });
    expect(discardAnswer.parse(all.body)).toMatchObject({ discarded: 2 });
    expect(await readyCount(names.incomingTimersDead)).toBe(0);
    expect(await readyCount(names.incomingTimers)).toBe(0);
  });
});

describe('who may call them', () => {
  it('answers 401 without a token and 403 to a user who is not an admin', async () => {
    for (const [path, body] of [
      ['/dead-letters', undefined],
      ['/dead-letters/tasks', undefined],
      ['/dead-letters/tasks/requeue', { all: true }],
      ['/dead-letters/tasks/discard', { all: true }],
    ] as const) {
      expect((await call(path, { token: null, body })).status).toBe(401);
      const refused = await call(path, { token: userToken, body });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('forbidden');
    }
  });
});

describe('bad input', () => {
  it.each([
    [{}, 'message_ids'],
    [{ message_ids: [] }, 'message_ids'],
    [{ message_ids: [''] }, 'message_ids.0'],
    [{ message_ids: 'p1' }, 'message_ids'],
    [{ all: false }, 'all'],
    [{ all: true, message_ids: ['p1'] }, 'message_ids'],
    [{ all: true, extra: 1 }, 'extra'],
  ])('answers 422 naming the field of %j', async (body, field) => {
    for (const action of ['requeue', 'discard']) {
      const res = await call(`/dead-letters/tasks/${action}`, { body });
      expect(res.status).toBe(422);
      expect((res.body.details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
    }
  });

  it.each(['limit=0', 'limit=501', 'limit=x', 'other=1'])('answers 422 naming the parameter of ?%s', async (query) => {
    const res = await call(`/dead-letters/tasks?${query}`);
    expect(res.status).toBe(422);
    expect((res.body.details as Array<{ field: string }>)[0]!.field).toBe(query.split('=')[0]);
  });
});

describe('broker outage', () => {
  it('answers 503 naming the broker', async () => {
    const offline = new AmqpClient(AMQP_URL, queueNames(testQueuePrefix()), log);
    base = await listen(offline);
    for (const res of [
      await call('/dead-letters'),
      await call('/dead-letters/tasks'),
      await call('/dead-letters/tasks/requeue', { body: { all: true } }),
      await call('/dead-letters/tasks/discard', { body: { all: true } }),
    ]) {
      expect(res.status).toBe(503);
      expect(res.body.dependency).toBe('broker');
    }
  });
});
