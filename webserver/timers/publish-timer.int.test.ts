// Integration: POST /timer's publisher on the real local RabbitMQ, with queue names of its own.
import { incomingTimersMessage, timersOf, type IncomingTimer } from '../../common/messages/timer-message.js';
import { decodeMessage } from '../../common/messages/decode.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { readyCount, takeAll, useTestBroker } from '../../test/helpers/broker.js';
import { publishTimer } from './publish-timer.js';

const broker = useTestBroker();

const timer = (i: number): IncomingTimer => ({ id: newTimerId(), url: `http://example.com/${i}`, fire_at: Date.now() + 60_000, created_at: Date.now(), request_id: `req-${i}` });

/** Every ready message of incoming_timers: the timers each carries. */
async function drain(queue: string): Promise<IncomingTimer[][]> {
  return (await takeAll(queue)).map((body) => timersOf<IncomingTimer>(decodeMessage(incomingTimersMessage, body)));
}

test('a lone timer is published at once, as a message of its own', async () => {
  const one = timer(0);
  await publishTimer(broker.client, one);
  expect(await drain(broker.client.names.incomingTimers)).toEqual([[one]]);
});

test('timers published while a confirm is awaited go together: fewer messages than timers, each timer exactly once', async () => {
  const timers = Array.from({ length: 300 }, (_, i) => timer(i));
  await Promise.all(timers.map((t) => publishTimer(broker.client, t)));
  // Every publish resolved only after its message was confirmed, so all of them are in the queue now.
  expect(await readyCount(broker.client.names.incomingTimers)).toBeLessThan(300);
  const messages = await drain(broker.client.names.incomingTimers);
  const published = messages.flat();
  expect(published.map((t) => t.id).sort()).toEqual(timers.map((t) => t.id).sort());
  expect(published.find((t) => t.id === timers[7]!.id)).toEqual(timers[7]);
});
