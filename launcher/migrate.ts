// `npm run migrate`: creates the main database and every shard of the configuration (MAIN_DB_URL,
// SHARD_DB_URLS) when missing and migrates them all. `npm run migrate -- --down` goes one step down.
import { loadConfig } from '../common/process/config.js';
import { migrateAll, rollbackAll } from '../common/db/migrate.js';
import { loadEnvFile } from '../common/process/env-file.js';

loadEnvFile();
const config = loadConfig();
const down = process.argv.includes('--down');
(down ? rollbackAll(config) : migrateAll(config)).then(
  () => console.log(`${down ? 'rolled back' : 'migrated'}: main + ${config.SHARD_DB_URLS.length} shard(s)`),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
