// A fresh main database and timer-db shards for one test file, migrated, and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { migrateAll } from '../../common/db/migrate.js';
import { createPool, type Pool } from '../../common/db/pool.js';
import { dropDatabase } from '../../common/db/database-admin.js';
import { databaseUrls } from '../../launcher/stack.js';
import { silentLogger } from './logger.js';

export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabases {
  name: string;
  mainUrl: string;
  shardUrls: string[];
  main: Pool;
  shards: Pool[];
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

export async function createTestDatabases(shardCount = 2): Promise<TestDatabases> {
  const name = uniqueName('t');
  const urls = databaseUrls(POSTGRES_URL, name, shardCount);
  await migrateAll({ MAIN_DB_URL: urls.main, SHARD_DB_URLS: urls.shards });
  const log = silentLogger();
  const main = createPool(urls.main, 'timer-test', 5, log);
  const shards = urls.shards.map((url) => createPool(url, 'timer-test', 5, log));
  return {
    name,
    mainUrl: urls.main,
    shardUrls: urls.shards,
    main,
    shards,
    async drop() {
      await Promise.all([main.end(), ...shards.map((s) => s.end())]);
      // Kept when KEEP_TEST_DATABASES=1, to look at what a failed test left.
      if (process.env.KEEP_TEST_DATABASES === '1') return;
      await Promise.all([urls.main, ...urls.shards].map((url) => dropDatabase(url)));
    },
  };
}
