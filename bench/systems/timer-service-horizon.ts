// Seeds the horizon scenario's backlog straight into the timer service's storage: `count` timers due
// ~300 days from now (1 ms apart) in the main table and, split by counter modulo the shard count, in
// the shards' timers_to_fire, pointing at a closed port. Ids are UUIDv7-shaped like the API's own
// (time-ordered, "issued" over an hour ago), the same id in the main table and its shard. Rows are
// placed by counter, not by the pipeline's shard function: they never fall due during a run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const CHUNK = 1_000_000;
const URL = 'http://127.0.0.1:9/never';

async function withClient(url: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

const ID = `(lpad(to_hex($4::bigint + g), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid`;
const FROM = `FROM generate_series($1::bigint, $2::bigint) g, LATERAL (SELECT md5($3 || g::text) AS h) m`;
const FIRE_AT = `now() + interval '300 days' + g * interval '1 millisecond'`;

export async function seedHorizon(mainUrl: string, shardUrls: string[], count: number, progress: (line: string) => void): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const base = Date.now() - 3_600_000 - count;
  for (let first = 1; first <= count; first += CHUNK) {
    const last = Math.min(count, first + CHUNK - 1);
    const params = [first, last, tag, base];
    await Promise.all([
      withClient(mainUrl, async (c) => {
        await c.query(`INSERT INTO timers (id, url, fire_at, created_at) SELECT ${ID}, '${URL}', ${FIRE_AT}, now() ${FROM}`, params);
      }),
      ...shardUrls.map((url, i) =>
        withClient(url, async (c) => {
          await c.query(`INSERT INTO timers_to_fire (id, url, fire_at) SELECT ${ID}, '${URL}', ${FIRE_AT} ${FROM} WHERE g % ${shardUrls.length} = ${i}`, params);
        }),
      ),
    ]);
    if (count > CHUNK) progress(`  ${last} / ${count} inserted`);
  }
  await Promise.all([
    withClient(mainUrl, (c) => c.query('VACUUM ANALYZE timers').then(() => undefined)),
    ...shardUrls.map((url) => withClient(url, (c) => c.query('VACUUM ANALYZE timers_to_fire').then(() => undefined))),
  ]);
}
