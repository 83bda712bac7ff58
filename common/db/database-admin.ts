// Creating and dropping whole databases (the launcher, `npm run migrate`, tests): the only place
// where an identifier is built from input, so the name is checked against a strict pattern first.
import pg from 'pg';

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function split(url: string): { adminUrl: string; name: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(name)) throw new Error(`database name ${JSON.stringify(name)} must match ${DATABASE_NAME}`);
  parsed.pathname = '/postgres';
  return { adminUrl: parsed.toString(), name };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'timer-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named by `url` unless it exists. */
export async function ensureDatabase(url: string): Promise<void> {
  const { adminUrl, name } = split(url);
  await withAdmin(adminUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created concurrently by another process: fine
    });
  });
}

/** Drops the database named by `url`, closing its connections (tests only). */
export async function dropDatabase(url: string): Promise<void> {
  const { adminUrl, name } = split(url);
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
