// Brings every database of a configuration to the latest schema: creates the main database and each
// shard when missing, then runs the knex migrations of its kind. Safe to run from several processes.
import knex from 'knex';
import type { Config } from '../process/config.js';
import { ensureDatabase } from './database-admin.js';
import { knexConfig, type DatabaseKind } from './knex-config.js';

async function migrateOne(url: string, kind: DatabaseKind): Promise<string[]> {
  await ensureDatabase(url);
  const db = knex(knexConfig(url, kind));
  try {
    const [, applied] = (await db.migrate.latest()) as [number, string[]];
    return applied;
  } finally {
    await db.destroy();
  }
}

export async function migrateAll(config: Pick<Config, 'MAIN_DB_URL' | 'SHARD_DB_URLS'>): Promise<void> {
  await migrateOne(config.MAIN_DB_URL, 'main');
  for (const url of config.SHARD_DB_URLS) await migrateOne(url, 'shard');
}

/** Undoes the last batch of migrations on every database (the documented one-step-down command). */
export async function rollbackAll(config: Pick<Config, 'MAIN_DB_URL' | 'SHARD_DB_URLS'>): Promise<void> {
  const targets: Array<[string, DatabaseKind]> = [[config.MAIN_DB_URL, 'main'], ...config.SHARD_DB_URLS.map((url): [string, DatabaseKind] => [url, 'shard'])];
  for (const [url, kind] of targets) {
    const db = knex(knexConfig(url, kind));
    try {
      await db.migrate.rollback();
    } finally {
      await db.destroy();
    }
  }
}
