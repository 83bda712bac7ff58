// Integration: putting timers back into their shards (retries, deferrals, re-checks, reschedules,
// replays) on real PostgreSQL.
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { newTimerId } from '../messages/timer-id.js';
import { shardOf } from './shard.js';
import { fireAgainAt, fireAllAgain } from './timers-to-fire.js';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases(2);
});

afterAll(async () => {
  await dbs.drop();
});

const shardHolding = (id: string) => dbs.shards[shardOf(id, dbs.shards.length)]!;

async function rowOf(id: string) {
  const result = await shardHolding(id).query<{ url: string; fire_at: Date; leased_by: string | null; lease_until: Date | null }>(
    'SELECT url, fire_at, leased_by, lease_until FROM timers_to_fire WHERE id = $1',
    [id],
  );
  return result.rows[0] ?? null;
}

test('many timers in one statement, each due at its own instant', async () => {
  const at = Date.UTC(2030, 0, 1);
  const rows = Array.from({ length: 50 }, (_, i) => ({ id: newTimerId(), url: `http://127.0.0.1:9/hook/${i}`, at: at + i * 1_000 }));
  await fireAllAgain(dbs.shards, rows);
  for (const row of rows) expect(await rowOf(row.id)).toEqual({ url: row.url, fire_at: new Date(row.at), leased_by: null, lease_until: null });
});

test('a timer given twice in one batch keeps its last row, as two calls in a row would', async () => {
  const id = newTimerId();
  await fireAllAgain(dbs.shards, [
    { id, url: 'http://127.0.0.1:9/first', at: Date.UTC(2030, 0, 2) },
    { id, url: 'http://127.0.0.1:9/last', at: Date.UTC(2030, 0, 1) },
  ]);
  expect(await rowOf(id)).toMatchObject({ url: 'http://127.0.0.1:9/last', fire_at: new Date(Date.UTC(2030, 0, 1)) });
});

test('overwrites a row still there, and its lease, so that a poller deleting its published copy cannot remove it', async () => {
  const id = newTimerId();
  await shardHolding(id).query("INSERT INTO timers_to_fire (id, url, fire_at, leased_by, lease_until) VALUES ($1, 'http://127.0.0.1:9/old', now(), 'poller-1', now() + interval '1 minute')", [id]);
  await fireAgainAt(dbs.shards, { id, url: 'http://127.0.0.1:9/new' }, Date.UTC(2030, 0, 3));
  expect(await rowOf(id)).toEqual({ url: 'http://127.0.0.1:9/new', fire_at: new Date(Date.UTC(2030, 0, 3)), leased_by: null, lease_until: null });
});

test('each timer goes to the shard that holds it, and to no other', async () => {
  const at = Date.UTC(2030, 0, 4);
  const rows = Array.from({ length: 40 }, () => ({ id: newTimerId(), url: 'http://127.0.0.1:9/hook', at }));
  await fireAllAgain(dbs.shards, rows);
  for (const [index, shard] of dbs.shards.entries()) {
    const held = await shard.query<{ id: string }>('SELECT id FROM timers_to_fire WHERE id = ANY($1::uuid[])', [rows.map((row) => row.id)]);
    expect(held.rows.map((row) => row.id).sort()).toEqual(
      rows
        .filter((row) => shardOf(row.id, dbs.shards.length) === index)
        .map((row) => row.id)
        .sort(),
    );
  }
});
