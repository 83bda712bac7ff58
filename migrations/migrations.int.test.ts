// Integration: `npm run migrate` creates and migrates every database; one step down and up again works.
import pg from 'pg';
import knex from 'knex';
import { knexConfig } from '../common/db/knex-config.js';
import { migrateAll, rollbackAll } from '../common/db/migrate.js';
import { dropDatabase } from '../common/db/database-admin.js';
import { databaseUrls } from '../launcher/stack.js';
import { POSTGRES_URL, uniqueName } from '../test/helpers/databases.js';

const urls = databaseUrls(POSTGRES_URL, uniqueName('mig'), 2);
const config = { MAIN_DB_URL: urls.main, SHARD_DB_URLS: urls.shards };
// 0001: timers; 0002: tasks and random_users; 0003: log_records; 0005: users; 0008: idempotency_keys;
// 0009: process_heartbeats; 0013: login_throttles; 0014: schedules; 0015: flow_keys, flow_leases; 0016: task_type_pauses;
// 0020: retention_removals (and the partitions of timers, tasks and log_records, which are not listed).
const MAIN_TABLES = [
  'flow_keys',
  'flow_leases',
  'idempotency_keys',
  'log_records',
  'login_throttles',
  'process_heartbeats',
  'random_users',
  'retention_removals',
  'schedules',
  'task_type_pauses',
  'tasks',
  'timers',
  'users',
];

afterAll(async () => {
  await Promise.all([urls.main, ...urls.shards].map((url) => dropDatabase(url)));
});

// The partitions of timers, tasks and log_records (0020) have their parent's columns: left out.
const NOT_A_PARTITION = `NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = format('%I.%I', table_schema, table_name)::regclass)`;

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%' AND ${NOT_A_PARTITION}
        ORDER BY 1`);
    return result.rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

test('migrating creates the missing databases with the main tables and a timers_to_fire table per shard', async () => {
  await migrateAll(config);
  expect(await tables(urls.main)).toEqual(MAIN_TABLES);
  for (const shard of urls.shards) expect(await tables(shard)).toEqual(['timers_to_fire']);
});

test('migrating twice changes nothing', async () => {
  await migrateAll(config);
  expect(await tables(urls.main)).toEqual(MAIN_TABLES);
});

test('one step down removes the tables, and up again restores them', async () => {
  await rollbackAll(config);
  expect(await tables(urls.main)).toEqual([]);
  for (const shard of urls.shards) expect(await tables(shard)).toEqual([]);
  await migrateAll(config);
  expect(await tables(urls.main)).toEqual(MAIN_TABLES);
  for (const shard of urls.shards) expect(await tables(shard)).toEqual(['timers_to_fire']);
});

/** The first column of a query's rows, read on its own connection. */
async function column(url: string, sql: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ v: string }>(sql);
    return result.rows.map((r) => r.v);
  } finally {
    await client.end();
  }
}

const ownerColumns = (url: string) =>
  column(url, `SELECT table_name AS v FROM information_schema.columns WHERE column_name = 'owner_id' AND table_schema = 'public' AND ${NOT_A_PARTITION} ORDER BY 1`);

const userColumns = (url: string) => column(url, `SELECT column_name AS v FROM information_schema.columns WHERE table_name = 'users' AND table_schema = 'public' ORDER BY 1`);

test('0012_user_token_generation and 0013_create_login_throttles each go down alone and up again', async () => {
  const db = knex(knexConfig(urls.main, 'main'));
  try {
    expect(await userColumns(urls.main)).toContain('token_generation');
    await db.migrate.down({ name: '0013_create_login_throttles' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES.filter((table) => table !== 'login_throttles'));
    await db.migrate.down({ name: '0012_user_token_generation' });
    expect(await userColumns(urls.main)).not.toContain('token_generation');
    await db.migrate.up({ name: '0012_user_token_generation' });
    await db.migrate.up({ name: '0013_create_login_throttles' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES);
    expect(await userColumns(urls.main)).toContain('token_generation');
  } finally {
    await db.destroy();
  }
});

test('0005_create_users goes down alone (users and the owner_id columns) and up again', async () => {
  const db = knex(knexConfig(urls.main, 'main'));
  try {
    expect(await ownerColumns(urls.main)).toEqual(['flow_keys', 'schedules', 'tasks', 'timers']);
    // By name: later migrations (0006 onwards) stay where they are.
    await db.migrate.down({ name: '0005_create_users' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES.filter((table) => table !== 'users'));
    // A schedule's owner came with 0014 and a flow key's with 0015, which stay.
    expect(await ownerColumns(urls.main)).toEqual(['flow_keys', 'schedules']);
    await db.migrate.up({ name: '0005_create_users' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES);
    expect(await ownerColumns(urls.main)).toEqual(['flow_keys', 'schedules', 'tasks', 'timers']);
  } finally {
    await db.destroy();
  }
});

const timerColumns = (url: string) => column(url, `SELECT column_name AS v FROM information_schema.columns WHERE table_name = 'timers' AND table_schema = 'public' ORDER BY 1`);

test('0015_create_flow_control goes down alone (a held timer is pending again, due as it was) and up again', async () => {
  const db = knex(knexConfig(urls.main, 'main'));
  try {
    await db.raw(
      `INSERT INTO timers (id, url, fire_at, created_at, state, flow_key, held_on) VALUES ('00000000-0000-4000-8000-000000000015', 'http://127.0.0.1:9/', now(), now(), 'held', 'k', gen_random_uuid())`,
    );
    await db.migrate.down({ name: '0015_create_flow_control' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES.filter((table) => !table.startsWith('flow_')));
    expect(await timerColumns(urls.main)).not.toContain('flow_key');
    expect((await db.raw(`SELECT state FROM timers WHERE id = '00000000-0000-4000-8000-000000000015'`)).rows).toEqual([{ state: 'scheduled' }]);
    await db.migrate.up({ name: '0015_create_flow_control' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES);
    expect(await timerColumns(urls.main)).toEqual(expect.arrayContaining(['flow_key', 'held_on']));
    await db.raw(`DELETE FROM timers WHERE id = '00000000-0000-4000-8000-000000000015'`);
  } finally {
    await db.destroy();
  }
});

test('0014_create_schedules goes down alone (a skipped run becomes cancelled) and up again', async () => {
  const db = knex(knexConfig(urls.main, 'main'));
  try {
    expect(await timerColumns(urls.main)).toEqual(expect.arrayContaining(['schedule_id', 'schedule_instant']));
    await db.raw(
      `INSERT INTO timers (id, url, fire_at, created_at, state, schedule_id, schedule_instant) VALUES ('00000000-0000-4000-8000-000000000014', 'http://127.0.0.1:9/', now(), now(), 'skipped', gen_random_uuid(), now())`,
    );
    await db.migrate.down({ name: '0014_create_schedules' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES.filter((table) => table !== 'schedules'));
    expect(await timerColumns(urls.main)).not.toContain('schedule_id');
    expect((await db.raw(`SELECT state FROM timers WHERE id = '00000000-0000-4000-8000-000000000014'`)).rows).toEqual([{ state: 'cancelled' }]);
    await db.migrate.up({ name: '0014_create_schedules' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES);
    await db.raw(`DELETE FROM timers WHERE id = '00000000-0000-4000-8000-000000000014'`);
  } finally {
    await db.destroy();
  }
});

test('0016_task_type_pauses goes down alone (a held task becomes failed, with the reason) and up again', async () => {
  const db = knex(knexConfig(urls.main, 'main'));
  const id = '00000000-0000-4000-8000-000000000016';
  try {
    await db.raw(`INSERT INTO tasks (id, type, args, state, max_attempts, timeout_ms, run_at, created_at) VALUES (?, 'noop', '{}', 'held', 3, 1000, now(), now())`, [id]);
    await db.migrate.down({ name: '0016_task_type_pauses' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES.filter((table) => table !== 'task_type_pauses'));
    const [row] = (await db.raw(`SELECT state, error FROM tasks WHERE id = ?`, [id])).rows as Array<{ state: string; error: string }>;
    expect(row).toMatchObject({ state: 'failed', error: expect.stringContaining('paused') });
    await expect(db.raw(`UPDATE tasks SET state = 'held' WHERE id = ?`, [id])).rejects.toThrow(/tasks_state_check/);
    await db.migrate.up({ name: '0016_task_type_pauses' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES);
    await db.raw(`UPDATE tasks SET state = 'held' WHERE id = ?`, [id]);
    await db.raw(`DELETE FROM tasks WHERE id = ?`, [id]);
  } finally {
    await db.destroy();
  }
});

// A UUIDv7 issued at `ms` (random bits after the instant).
const v7At = (ms: number, n: number) => {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${n.toString(16).padStart(12, '0')}`;
};

test('0020_lifecycle_partitions goes down alone and up again keeping every row, wherever its id falls', async () => {
  const db = knex(knexConfig(urls.main, 'main'));
  const now = Date.now();
  // Issued today, 40 days ago, ahead of the partitions, and not UUIDv7 at all.
  const ids = [v7At(now, 1), v7At(now - 40 * 86_400_000, 2), v7At(now + 400 * 86_400_000, 3), '00000000-0000-4000-8000-000000000020'];
  const count = async (table: string) => Number((await db.raw(`SELECT count(*) AS n FROM ${table} WHERE id = ANY(?::uuid[])`, [ids])).rows[0].n);
  try {
    await db.migrate.down({ name: '0020_lifecycle_partitions' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES.filter((table) => table !== 'retention_removals'));
    for (const [i, id] of ids.entries()) {
      const state = i % 2 === 0 ? 'delivered' : 'scheduled';
      await db.raw(`INSERT INTO timers (id, url, fire_at, created_at, state, delivered_at) VALUES (?, 'http://127.0.0.1:9/', now(), now(), ?, CASE WHEN ? = 'delivered' THEN now() END)`, [
        id,
        state,
        state,
      ]);
      await db.raw(`INSERT INTO tasks (id, type, args, state, max_attempts, timeout_ms, run_at, created_at, finished_at) VALUES (?, 'noop', '{}', 'succeeded', 1, 1000, now(), now(), now())`, [id]);
      await db.raw(`INSERT INTO log_records (id, created, ip, method, uri, status_code) VALUES (?, now(), '127.0.0.1', 'GET', '/', 200)`, [id]);
    }
    await db.migrate.up({ name: '0020_lifecycle_partitions' });
    expect(await tables(urls.main)).toEqual(MAIN_TABLES);
    for (const table of ['timers', 'tasks', 'log_records']) expect(await count(table)).toBe(ids.length);
    // Finished rows expire a week after they ended (the default); a pending one never does.
    const expiry = (await db.raw(`SELECT state, expires_at > now() + interval '6 days' AS later FROM timers WHERE id = ANY(?::uuid[]) ORDER BY id`, [ids])).rows;
    expect(expiry).toEqual(
      expect.arrayContaining([
        { state: 'scheduled', later: null },
        { state: 'delivered', later: true },
      ]),
    );
    // An access-log record inserted after goes on from the largest seq.
    const [{ seq }] = (await db.raw(`INSERT INTO log_records (id, created, ip, method, uri, status_code) VALUES (gen_random_uuid(), now(), '127.0.0.1', 'GET', '/', 200) RETURNING seq`)).rows;
    expect(Number(seq)).toBeGreaterThan(ids.length);
    await db.migrate.down({ name: '0020_lifecycle_partitions' });
    for (const table of ['timers', 'tasks', 'log_records']) expect(await count(table)).toBe(ids.length);
    await db.migrate.up({ name: '0020_lifecycle_partitions' });
    for (const table of ['timers', 'tasks', 'log_records']) expect(await count(table)).toBe(ids.length);
    for (const table of ['timers', 'tasks', 'log_records']) await db.raw(`DELETE FROM ${table}`);
  } finally {
    await db.destroy();
  }
});
