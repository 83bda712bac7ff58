// End to end through nginx, with the retention process of the stack: a delivered timer expires its
// retention after its delivery (its own retention_s, or the configured one); a day whose timers expired
// is removed by the retention process, archived first; its ids then answer 410 expired, while a timer
// of that day still pending stays, and an unknown young id is still 404.
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { useStackWithReceiver } from '../helpers/test-stack.js';
import { errorAnswer, timerAnswer } from '../../webserver/openapi/openapi.js';
import { DAY_MS, dayPartitionName, ensureDayPartitions } from '../../common/store/partitions.js';
import type { Pool } from '../../common/db/pool.js';

jest.setTimeout(120_000);

const archive = mkdtempSync(join(tmpdir(), 'retention-e2e-'));
const e2e = useStackWithReceiver({
  replicas: { retention: 1 },
  env: { RETENTION_SWEEP_INTERVAL_MS: '200', RETENTION_DELIVERED_S: '3600', RETENTION_MIN_S: '60', RETENTION_ARCHIVE_DIR: archive },
});
let db: Pool;

beforeAll(() => {
  db = new pg.Pool({ connectionString: e2e.env.mainDbUrl, max: 2 });
  // The stack's teardown drops the database under the pool's idle connections.
  db.on('error', () => undefined);
});

afterAll(async () => {
  await db.end();
  rmSync(archive, { recursive: true, force: true });
});

type Timer = ReturnType<typeof timerAnswer.parse>;

async function createTimer(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${e2e.env.url}/timer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Reads the timer until `done` says so (the outcome is recorded just after the webhook arrives). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

const getTimer = async (id: string) => fetch(`${e2e.env.url}/timer/${id}`);
const readTimer = async (id: string): Promise<Timer> => timerAnswer.parse(await (await getTimer(id)).json());

test('a delivered timer expires its own retention_s after its delivery, or else the configured RETENTION_DELIVERED_S; a pending one never', async () => {
  const own = await createTimer({ url: `${e2e.hook}/own`, retention_s: 7200 });
  const configured = await createTimer({ url: `${e2e.hook}/configured` });
  const pending = await createTimer({ url: `${e2e.hook}/later`, hours: 1 });
  for (const [id, retentionMs] of [
    [own, 7_200_000],
    [configured, 3_600_000],
  ] as const) {
    const timer = await until(
      () => readTimer(id),
      (t) => t.state === 'delivered',
    );
    expect(Date.parse(timer.expires_at!) - Date.parse(timer.delivered_at!)).toBe(retentionMs);
  }
  const later = await readTimer(pending);
  expect(later).toMatchObject({ state: 'scheduled', expires_at: null, retention_s: null });
});

test('the retention process removes a day whose timers expired, archived first: their ids answer 410 expired, a pending one of that day stays', async () => {
  const day = Date.now() - 10 * DAY_MS;
  await ensureDayPartitions(db, 'timers', day, day + 1);
  const hex = day.toString(16).padStart(12, '0');
  const [expired, pending] = [1, 2].map((n) => `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${n.toString(16).padStart(12, '0')}`) as [string, string];
  await db.query(
    `INSERT INTO timers (id, url, fire_at, created_at, state, delivered_at, expires_at) VALUES
       ($1, 'http://127.0.0.1:9/gone', to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), 'delivered', to_timestamp($3 / 1000.0), now() - interval '1 hour'),
       ($2, 'http://127.0.0.1:9/later', now() + interval '300 days', to_timestamp($3 / 1000.0), 'scheduled', NULL, NULL)`,
    [expired, pending, day],
  );

  const gone = await until(
    () => getTimer(expired),
    (res) => res.status !== 200,
  );
  expect(gone.status).toBe(410);
  expect(errorAnswer.parse(await gone.json())).toMatchObject({ error: 'expired' });
  expect(await readTimer(pending)).toMatchObject({ id: pending, state: 'scheduled' });
  // An id issued after the removed day, never stored (issued minutes ago: no read-your-writes wait).
  const young = Date.now() - 120_000;
  const youngHex = young.toString(16).padStart(12, '0');
  expect((await getTimer(`${youngHex.slice(0, 8)}-${youngHex.slice(8)}-7000-8000-000000000003`)).status).toBe(404);

  // The day was rewritten with the timer it keeps; what it held before went to the archive first.
  const lines = gunzipSync(readFileSync(join(archive, `${dayPartitionName('timers', day)}.jsonl.gz`)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
  expect(lines).toEqual([expired, pending]);
});
