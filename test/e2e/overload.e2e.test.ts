// End to end through nginx under more requests than a client may send: nginx sheds the excess with a
// JSON 429 and Retry-After, nothing answers 5xx, and every timer that was accepted still fires once.
import { jest } from '@jest/globals';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { errorAnswer, timerCreatedAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(120_000);

// 20 requests per second with a burst of 10 for this test's single client address.
const e2e = useStackWithReceiver({
  replicas: { webserver: 1, consumer: 1, timer: 1, trigger: 1 },
  clientLimits: { ratePerSecond: 20, burst: 10, connections: 1_000 },
});

test('a flood of 200 POSTs: the excess gets 429 at the door, and every accepted timer fires exactly once', async () => {
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      fetch(`${e2e.env.url}/timer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${e2e.hook}/flood/${i}` }),
      }),
    ),
  );
  const statuses = answers.map((a) => a.status);
  expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
  const shed = answers.filter((a) => a.status === 429);
  expect(shed.length).toBeGreaterThan(0);
  for (const answer of shed) {
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(errorAnswer.parse(await answer.json()).error).toBe('too_many_requests');
  }
  const accepted = await Promise.all(answers.filter((a) => a.status === 201).map(async (a) => timerCreatedAnswer.parse(await a.json()).id));
  expect(accepted.length).toBeGreaterThan(0);

  await e2e.receiver.waitFor(accepted.length, 30_000);
  const counts = e2e.receiver.countsById();
  expect([...counts.keys()].sort()).toEqual([...accepted].sort());
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
});
