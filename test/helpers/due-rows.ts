// Due rows written straight into a shard's timers_to_fire, for the tests of what pollers do with them.
import { randomUUID } from 'node:crypto';
import type { Pool } from '../../common/db/pool.js';

/** insertDue(shard, count, fireAt): `count` rows due at fireAt(i) (epoch ms); their ids, in order. */
export async function insertDue(shard: Pool, count: number, fireAt: (i: number) => number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await shard.query(
    `INSERT INTO timers_to_fire (id, url, fire_at)
     SELECT id, 'http://127.0.0.1:9/', to_timestamp(at / 1000.0) FROM unnest($1::uuid[], $2::float8[]) AS t(id, at)`,
    [ids, ids.map((_, i) => fireAt(i))],
  );
  return ids;
}
