// End to end: real deliveries of a stack configured with two signing secrets (a rotation under way) are
// verified by the Standard Webhooks reference library, on the raw body, with either secret; the
// webhook-id stays the timer id across retries; a delivery replayed outside the window is refused.
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import type { Arrival } from '../helpers/webhook-receiver.js';

jest.setTimeout(120_000);

const OLD_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NEW_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const e2e = useStackWithReceiver({ env: { WEBHOOK_SIGNING_SECRETS: `${NEW_SECRET},${OLD_SECRET}` } });

async function createTimer(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const headersOf = (arrival: Arrival) => arrival.headers as Record<string, string>;

test('every delivery verifies with either secret on its raw body, webhook-id is the timer id, even across retries', async () => {
  let failFirst = true;
  e2e.receiver.answer = (arrival) => {
    if (arrival.path === '/flaky' && failFirst) {
      failFirst = false;
      return { status: 500 };
    }
    return { status: 200 };
  };
  const ids = [
    await createTimer({ url: `${e2e.hook}/a`, seconds: 0 }),
    await createTimer({ url: `${e2e.hook}/b`, seconds: 1 }),
    await createTimer({ url: `${e2e.hook}/flaky`, seconds: 0, retry_backoff_s: 0.2 }),
  ];
  await e2e.receiver.waitFor(4, 60_000);
  const arrivals = e2e.receiver.arrivals;
  expect(arrivals.map((a) => a.id).sort()).toEqual([...ids, ids[2]].sort());
  for (const arrival of arrivals) {
    const headers = headersOf(arrival);
    expect(headers['webhook-id']).toBe(arrival.id);
    expect(Number(headers['webhook-timestamp'])).toBe(Math.floor(Number(headers['webhook-timestamp'])));
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [NEW_SECRET, OLD_SECRET]) {
      expect(new Webhook(secret).verify(arrival.body, headers)).toEqual({ id: arrival.id });
    }
    // A receiver that has not learnt either secret refuses it; so does one given a changed body.
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(arrival.body, headers)).toThrow();
    expect(() => new Webhook(NEW_SECRET).verify(arrival.body.replace('"}', ' "}'), headers)).toThrow();
  }
  // The retry is signed again: same webhook-id, its own signature.
  const flaky = arrivals.filter((a) => a.id === ids[2]);
  expect(flaky).toHaveLength(2);
  expect(headersOf(flaky[1]!)['webhook-id']).toBe(headersOf(flaky[0]!)['webhook-id']);
});

test('a captured delivery replayed after the 5-minute window is refused', () => {
  const arrival = e2e.receiver.arrivals[0]!;
  const headers = headersOf(arrival);
  const sentAt = Number(headers['webhook-timestamp']) * 1000;
  const now = jest.spyOn(Date, 'now');
  try {
    now.mockReturnValue(sentAt + 4 * 60_000);
    expect(new Webhook(NEW_SECRET).verify(arrival.body, headers)).toEqual({ id: arrival.id });
    now.mockReturnValue(sentAt + 10 * 60_000);
    expect(() => new Webhook(NEW_SECRET).verify(arrival.body, headers)).toThrow('too old');
  } finally {
    now.mockRestore();
  }
});
