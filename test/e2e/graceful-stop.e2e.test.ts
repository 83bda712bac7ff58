// End to end: SIGTERM and SIGINT stop every kind of process cleanly (exit code 0, within the
// shutdown deadline, which would exit 1) while timers are being created and are falling due, and
// nothing they had taken on is lost or sent twice once they are started again.
import { jest } from '@jest/globals';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import type { ProcessKind } from '../../launcher/stack.js';

jest.setTimeout(180_000);

const e2e = useStackWithReceiver();

async function createTimer(i: number): Promise<string | null> {
  const res = await fetch(`${e2e.env.url}/timer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds: i % 4, url: `${e2e.hook}/graceful` }),
  }).catch(() => null);
  // A webserver that is stopping may cut a request nginx had already sent it: the client gets a JSON
  // 503 (or loses the connection) and knows the timer was not accepted. Anything else must be a 201.
  if (res === null || res.status === 503) return null;
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test('each process kind stopped by a signal mid-run exits 0; every accepted timer fires exactly once', async () => {
  const accepted: string[] = [];
  let creating = true;
  // About 100 timers a second, due 0-3 s later, until every stopped process is running again: a load
  // this 2-core machine carries with room to spare, so that no webhook times out on a busy receiver.
  const creator = (async () => {
    for (let i = 0; creating; i++) {
      const pace = new Promise((resolve) => setTimeout(resolve, 100));
      const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => createTimer(i * 10 + j)));
      accepted.push(...batch.filter((id): id is string => id !== null));
      await pace;
    }
  })();

  await e2e.receiver.waitFor(50, 30_000);
  const kinds: Array<[ProcessKind, 'SIGTERM' | 'SIGINT']> = [
    ['trigger', 'SIGTERM'],
    ['timer', 'SIGINT'],
    ['consumer', 'SIGTERM'],
    ['webserver', 'SIGTERM'],
  ];
  const exits = await Promise.all(kinds.map(([kind, signal]) => e2e.env.stack.of(kind)[0]!.stop(signal)));
  expect(exits).toEqual(kinds.map(() => ({ code: 0, signal: null })));

  await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 50, 30_000);
  for (const [kind] of kinds) await e2e.env.stack.startKind(kind);
  creating = false;
  await creator;

  const counts = () => e2e.receiver.countsById();
  while (accepted.some((id) => !counts().has(id))) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 60_000);
  expect(accepted.filter((id) => counts().get(id) !== 1)).toEqual([]);
});
