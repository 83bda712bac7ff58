// End to end under failure: processes killed with -9 mid-run, and pollers and triggers down while
// timers fall due. Leases are short here so that recovery shows within seconds.
import { jest } from '@jest/globals';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';

jest.setTimeout(180_000);

// A killed poller's claims return after POLLER_LEASE_MS; a killed trigger's after WEBHOOK_TIMEOUT_MS + 5 s.
const e2e = useStackWithReceiver({ env: { POLLER_LEASE_MS: '3000', POLLER_LOOKAHEAD_MS: '1000', WEBHOOK_TIMEOUT_MS: '3000' } });

async function createTimers(count: number, seconds: (i: number) => number, path: string): Promise<Array<{ id: string; fire_at: string }>> {
  const created: Array<{ id: string; fire_at: string }> = [];
  for (let i = 0; i < count; i += 50) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, j) => {
        const res = await fetch(`${e2e.env.url}/timer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ seconds: seconds(i + j), url: `${e2e.hook}${path}` }),
        });
        expect(res.status).toBe(201);
        return (await res.json()) as { id: string; fire_at: string };
      }),
    );
    created.push(...chunk);
  }
  return created;
}

async function states(ids: string[]): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await client.connect();
  try {
    const result = await client.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM timers WHERE id = ANY($1::uuid[]) GROUP BY state', [ids]);
    return Object.fromEntries(result.rows.map((r) => [r.state, r.n]));
  } finally {
    await client.end();
  }
}

test('kill -9 of a trigger and of a timer poller mid-run loses no timer', async () => {
  const before = e2e.receiver.arrivals.length;
  const created = await createTimers(400, (i) => 1 + (i % 5), '/crash');
  const ids = created.map((c) => c.id);
  await e2e.receiver.waitFor(before + 60, 30_000);
  await Promise.all([e2e.env.stack.of('trigger')[0]!.kill('SIGKILL'), e2e.env.stack.of('timer')[0]!.kill('SIGKILL')]);
  const killedAt = Date.now();

  // Every timer arrives: the survivors take over the dead poller's leases and the dead trigger's claims.
  const counts = () => e2e.receiver.countsById();
  while (ids.some((id) => !counts().has(id))) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 60_000);
  const delivered = ids.map((id) => counts().get(id) ?? 0);
  expect(delivered.every((n) => n >= 1)).toBe(true);
  // At-least-once: only a webhook the killed trigger had sent without recording its outcome may be
  // sent again (once its claim expires), so every timer that arrived twice first arrived by the time
  // the kill was done. The second of LATE_ARRIVAL_MS allows for this process's event loop reading
  // requests the dead trigger wrote just before it died; the dead trigger's claims come back only
  // after WEBHOOK_TIMEOUT_MS + 5 s. A survivor sending a timer twice shows as a later first arrival.
  const LATE_ARRIVAL_MS = 1_000;
  const firstArrival = new Map<string, number>();
  for (const a of e2e.receiver.arrivals) if (!firstArrival.has(a.id)) firstArrival.set(a.id, a.at);
  const twice = ids.filter((_, i) => delivered[i]! > 1);
  expect(twice.filter((id) => firstArrival.get(id)! > killedAt + LATE_ARRIVAL_MS)).toEqual([]);

  let recorded = await states(ids);
  while ((recorded.delivered ?? 0) < ids.length && !recorded.failed) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    recorded = await states(ids);
  }
  expect(recorded).toEqual({ delivered: 400 });

  await Promise.all([e2e.env.stack.startKind('trigger'), e2e.env.stack.startKind('timer')]);
});

test('timers that fall due while every poller and trigger is stopped all fire, once, when they start again', async () => {
  await Promise.all([e2e.env.stack.stopKind('timer'), e2e.env.stack.stopKind('trigger')]);
  const before = e2e.receiver.arrivals.length;
  const created = await createTimers(200, (i) => 1 + (i % 2), '/downtime');
  const lastDue = Math.max(...created.map((c) => Date.parse(c.fire_at)));
  // Let every timer fall due while nothing can fire it.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastDue - Date.now()) + 500));
  expect(e2e.receiver.arrivals.length).toBe(before);

  await Promise.all([e2e.env.stack.startKind('timer'), e2e.env.stack.startKind('trigger')]);
  await e2e.receiver.waitFor(before + 200, 60_000);
  const counts = e2e.receiver.countsById();
  for (const { id } of created) expect(counts.get(id)).toBe(1);
});
