// End to end through nginx: a message the consumer cannot decode lands in incoming_timers.dead, and an
// admin sees it through the API with its reason and body, sends it back (the consumer sets it aside
// again, with a new reason), then drops it. Every answer is checked against the OpenAPI description.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import amqplib from 'amqplib';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { AMQP_URL, readyCount } from '../helpers/broker.js';

jest.setTimeout(120_000);

let env: TestStack;
let token: string;

beforeAll(async () => {
  env = await startTestStack({ replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1 }, shards: 1, env: { ADMIN_EMAILS: 'admin@example.com' } });
  expect((await post('/users', { email: 'admin@example.com', password: 'password-123' })).status).toBe(201);
  token = ((await (await post('/token', { email: 'admin@example.com', password: 'password-123' })).json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await env?.teardown();
});

function post(path: string, body: unknown, auth?: string) {
  return fetch(`${env.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body: JSON.stringify(body) });
}
const get = (path: string) => fetch(`${env.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

const deadQueue = () => `${env.stack.env.QUEUE_PREFIX}incoming_timers.dead`;

/** Awaits the consumer's dead-lettering: the .dead queue's count reaching `count`. */
async function awaitDead(count: number): Promise<void> {
  while ((await readyCount(deadQueue())) !== count) await new Promise((resolve) => setTimeout(resolve, 20));
}

it('an undecodable message is shown with its reason and body, requeued (and set aside again), then discarded', async () => {
  const connection = await amqplib.connect(AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(`${env.stack.env.QUEUE_PREFIX}incoming_timers`, Buffer.from('{"not": "a timer"}'), { messageId: 'poison-e2e', persistent: true });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
  await awaitDead(1);

  const list = (await (await get('/dead-letters')).json()) as { messages: number };
  expect(list.messages).toBe(1);
  const peek = (await (await get('/dead-letters/incoming_timers')).json()) as { dead_letters: Array<{ message_id: string; reason: string; body: unknown }> };
  expect(peek.dead_letters).toHaveLength(1);
  expect(peek.dead_letters[0]).toMatchObject({ message_id: 'poison-e2e', body: { not: 'a timer' } });
  expect(peek.dead_letters[0]!.reason).toMatch(/undecodable: item has the wrong shape/);

  const requeued = await post('/dead-letters/incoming_timers/requeue', { message_ids: ['poison-e2e'] }, token);
  expect(requeued.status).toBe(200);
  expect(await requeued.json()).toMatchObject({ requeued: 1, not_found: [] });
  // The consumer decodes it again, fails again, and sets it aside again: one message, not two.
  await awaitDead(1);
  expect(((await (await get('/dead-letters/incoming_timers')).json()) as { dead_letters: unknown[] }).dead_letters).toHaveLength(1);

  const discarded = await post('/dead-letters/incoming_timers/discard', { all: true }, token);
  expect(await discarded.json()).toMatchObject({ discarded: 1 });
  await awaitDead(0);
  expect((await post('/dead-letters/incoming_timers/discard', { all: 'yes' }, token)).status).toBe(422);
  expect((await fetch(`${env.url}/dead-letters`)).status).toBe(401);
});
