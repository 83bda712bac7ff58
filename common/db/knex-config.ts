// knex configuration of the two kinds of database: the main one (timers) and a timer-db shard (timers_to_fire).
import type { Knex } from 'knex';
import { mainMigrations, shardMigrations } from '../../migrations/sources.js';

export type DatabaseKind = 'main' | 'shard';

export function knexConfig(url: string, kind: DatabaseKind): Knex.Config {
  return {
    client: 'pg',
    connection: url,
    pool: { min: 0, max: 2 },
    migrations: { migrationSource: kind === 'main' ? mainMigrations : shardMigrations, tableName: 'knex_migrations' },
  };
}
