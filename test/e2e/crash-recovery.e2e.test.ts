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

/** An attempt of a timer: its series (1, then one more per replay) and its number within the series. */
const attemptKey = (series: number, attempt: number) => `${series}:${attempt}`;

/** The attempts claimed and not yet ended, by timer id: state 'firing' under the attempt it counts. */
async function claimedAttempts(ids: string[]): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await client.connect();
  try {
    const result = await client.query<{ id: string; series: number; attempts: number }>(`SELECT id, series, attempts FROM timers WHERE id = ANY($1::uuid[]) AND state = 'firing'`, [ids]);
    return new Map(result.rows.map((r) => [r.id, attemptKey(r.series, r.attempts)]));
  } finally {
    await client.end();
  }
}

type AttemptEntry = { series: number; attempt: number; status: number | null; error: string | null };

/** The attempts whose outcome a trigger recorded (attempt_log), by timer id. */
async function recordedAttempts(ids: string[]): Promise<Map<string, AttemptEntry[]>> {
  const client = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await client.connect();
  try {
    const result = await client.query<{ id: string; attempt_log: AttemptEntry[] }>('SELECT id, attempt_log FROM timers WHERE id = ANY($1::uuid[])', [ids]);
    return new Map(result.rows.map((r) => [r.id, r.attempt_log]));
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
  // Every attempt the dead trigger had claimed is in here: it could send a webhook only after reading
  // its claim's result, so the claim was committed before it died, and it died before this query.
  const claimedAtKill = await claimedAttempts(ids);

  // Every timer arrives: the survivors take over the dead poller's leases and the dead trigger's claims.
  // The counts are built once per arrival, not once per timer: this process is also the receiver, and
  // time spent here holds its answers back (a webhook not answered within WEBHOOK_TIMEOUT_MS is sent again).
  const missing = () => {
    const arrived = e2e.receiver.countsById();
    return ids.filter((id) => !arrived.has(id));
  };
  while (missing().length > 0) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 60_000);

  let recorded = await states(ids);
  while ((recorded.delivered ?? 0) < ids.length && !recorded.failed) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    recorded = await states(ids);
  }
  expect(recorded).toEqual({ delivered: 400 });

  // At-least-once: a webhook is sent again only when the attempt that sent it did not end in a recorded
  // delivery. Each claim counts an attempt and each recorded outcome adds that attempt to attempt_log.
  // The killed trigger's sends are among the attempts claimed when the kill was done and never
  // recorded; a survivor's attempt is always recorded, and only one recorded as failed (its answer
  // came after WEBHOOK_TIMEOUT_MS) leads to another. So a timer arrives at most once, plus once for an
  // attempt the killed trigger held, plus once per failed attempt; a survivor sending a timer twice,
  // or sending a delivered timer again, shows as an arrival that no attempt explains.
  const logs = await recordedAttempts(ids);
  const ended = (id: string, attempt: string) => (logs.get(id) ?? []).some((e) => attemptKey(e.series, e.attempt) === attempt);
  const heldByTheDead = new Set([...claimedAtKill].filter(([id, attempt]) => !ended(id, attempt)).map(([id]) => id));
  const failedAttempts = (id: string) => (logs.get(id) ?? []).filter((e) => e.status === null || e.status < 200 || e.status > 299).length;
  const arrived = e2e.receiver.countsById();
  const unexplained = ids.filter((id) => arrived.get(id)! > 1 + (heldByTheDead.has(id) ? 1 : 0) + failedAttempts(id));
  expect(unexplained.map((id) => ({ id, arrivals: arrived.get(id), heldByTheKilledTrigger: heldByTheDead.has(id), recorded: logs.get(id) }))).toEqual([]);

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
