// For the knex CLI: the main database and shard_1..N of the configuration in the environment.
// `npm run migrate` (launcher/migrate.ts) migrates all of them at once and is the usual way.
import type { Knex } from 'knex';
import { loadConfig } from './common/process/config.js';
import { knexConfig } from './common/db/knex-config.js';

const config = loadConfig();

export default {
  main: knexConfig(config.MAIN_DB_URL, 'main'),
  ...Object.fromEntries(config.SHARD_DB_URLS.map((url, i) => [`shard_${i + 1}`, knexConfig(url, 'shard')])),
} satisfies Record<string, Knex.Config>;
