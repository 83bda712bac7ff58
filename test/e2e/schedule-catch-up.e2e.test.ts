// End to end through nginx: the triggers stop for a few seconds while schedules fall due, then come
// back; each schedule's catch_up decides what runs for the instants missed meanwhile. Here a run later
// than 2 s counts as missed (SCHEDULE_MISSED_AFTER_MS; a minute by default).
import { jest } from '@jest/globals';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { scheduleAnswer } from '../../webserver/openapi/openapi.js';

jest.setTimeout(180_000);

const MISSED_AFTER_MS = 2_000;
const DOWNTIME_MS = 6_000;

const e2e = useStackWithReceiver({ env: { SCHEDULE_MISSED_AFTER_MS: String(MISSED_AFTER_MS) } });

async function createSchedule(body: Record<string, unknown>) {
  const res = await fetch(`${e2e.env.url}/schedules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return scheduleAnswer.parse(await res.json());
}

const arrivalsOf = (scheduleId: string) => e2e.receiver.arrivals.filter((a) => a.headers['x-schedule-id'] === scheduleId);
const instantsDelivered = (scheduleId: string) => arrivalsOf(scheduleId).map((a) => Date.parse(a.headers['x-schedule-instant'] as string));

async function until(done: () => boolean): Promise<void> {
  while (!done()) await e2e.receiver.waitFor(e2e.receiver.arrivals.length + 1, 60_000);
}

async function runs(scheduleId: string): Promise<Array<{ instant: number; state: string }>> {
  const client = new pg.Client({ connectionString: e2e.env.mainDbUrl });
  await client.connect();
  try {
    const result = await client.query<{ instant: Date; state: string }>('SELECT schedule_instant AS instant, state FROM timers WHERE schedule_id = $1 ORDER BY schedule_instant', [scheduleId]);
    return result.rows.map((row) => ({ instant: row.instant.getTime(), state: row.state }));
  } finally {
    await client.end();
  }
}

test('after the triggers were down: latest runs the most recent missed instant once, all runs every missed instant, none runs none of them', async () => {
  const [latest, all, none] = await Promise.all(['latest', 'all', 'none'].map((catch_up) => createSchedule({ every: 1, url: `${e2e.hook}/${catch_up}`, catch_up })));
  await until(() => [latest, all, none].every((s) => arrivalsOf(s!.id).length >= 2));
  await e2e.env.stack.stopKind('trigger');
  const downFrom = Date.now();
  // The outage itself: nothing to await but the time passing.
  await new Promise((resolve) => setTimeout(resolve, DOWNTIME_MS));
  await e2e.env.stack.startKind('trigger');
  const upAt = Date.now();
  // Runs after the restart, for instants after it, show that every schedule is back on its cadence.
  await until(() => [latest, all, none].every((s) => instantsDelivered(s!.id).some((at) => at > upAt + 1_000)));

  // Instants wholly inside the outage, missed by more than MISSED_AFTER_MS when the triggers came back.
  const missed = (at: number) => at > downFrom + 1_000 && at < upAt - MISSED_AFTER_MS - 1_000;
  const missedCount = (id: string) => instantsDelivered(id).filter(missed).length;
  expect(missedCount(none!.id)).toBe(0);
  expect((await runs(none!.id)).some((r) => r.state === 'skipped')).toBe(true);
  // latest: of the instants missed, at most the most recent one runs (it may be after the window above).
  expect(missedCount(latest!.id)).toBeLessThanOrEqual(1);
  expect((await runs(latest!.id)).some((r) => r.state === 'skipped')).toBe(true);
  // all: every instant runs, the missed ones included, none skipped.
  const allRuns = await runs(all!.id);
  expect(allRuns.some((r) => r.state === 'skipped')).toBe(false);
  const delivered = new Set(instantsDelivered(all!.id));
  const first = allRuns[0]!.instant;
  const lastDelivered = Math.max(...delivered);
  for (let at = first; at <= lastDelivered; at += 1_000) expect(delivered.has(at)).toBe(true);
  expect(missedCount(all!.id)).toBeGreaterThanOrEqual(2);
});
