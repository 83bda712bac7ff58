// Integration: `npm run migrate` creates and migrates every database; one step down and up again works.
import pg from 'pg';
import { migrateAll, rollbackAll } from '../common/migrate.js';
import { dropDatabase } from '../common/database-admin.js';
import { databaseUrls } from '../launcher/stack.js';
import { POSTGRES_URL, uniqueName } from '../test/helpers/databases.js';

const urls = databaseUrls(POSTGRES_URL, uniqueName('mig'), 2);
const config = { MAIN_DB_URL: urls.main, SHARD_DB_URLS: urls.shards };
// 0001: timers; 0002: tasks and seed 000's random_users.
const MAIN_TABLES = ['idempotency_keys', 'log_records', 'random_users', 'tasks', 'timers'];

afterAll(async () => {
  await Promise.all([urls.main, ...urls.shards].map((url) => dropDatabase(url)));
});

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%' ORDER BY 1`,
    );
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
