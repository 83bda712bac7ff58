// Integration: the log cursor on the real PostgreSQL, with writers committing concurrently and out of order.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { newTimerId } from '../messages/timer-id.js';
import type { IncomingLog } from '../messages/log-message.js';
import type { PoolClient } from '../db/pool.js';
import { createTestDatabases, type TestDatabases } from '../../test/helpers/databases.js';
import { cursorOf, insertLogRecords, readLogRecords, START_OF_LOG, type LogCursor } from './log-records.js';

jest.setTimeout(120_000);

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
});

afterAll(async () => {
  await dbs.drop();
});

function logs(count: number, tag: string): IncomingLog[] {
  return Array.from({ length: count }, (_, i) => ({ id: newTimerId(), created: Date.now(), ip: '10.0.0.1', method: 'GET' as const, uri: `/${tag}/${i}`, status_code: 200 }));
}

async function begin(): Promise<PoolClient> {
  const client = await dbs.main.connect();
  await client.query('BEGIN');
  return client;
}

async function commit(client: PoolClient): Promise<void> {
  await client.query('COMMIT');
  client.release();
}

/** Reads from `after` until `count` records have come (other sessions on the server may hold xmin back a moment). */
async function readUntil(after: LogCursor, count: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor = after;
  while (ids.length < count) {
    const page = await readLogRecords(dbs.main, cursor, 1_000);
    if (page.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    ids.push(...page.map((r) => r.id));
    cursor = (await cursorOf(dbs.main, page[page.length - 1]!.id))!;
  }
  return ids;
}

describe('a reader never sees a record before an earlier one can still commit', () => {
  test('a later transaction that commits first is held back until the earlier one commits', async () => {
    const start = await lastCursor();
    const [early] = logs(1, 'early');
    const [late] = logs(1, 'late');
    const slow = await begin();
    await insertLogRecords(slow, [early!]); // takes the lower xid and seq
    await insertLogRecords(dbs.main, [late!]); // commits at once, with a higher xid and seq

    // A serial or commit-time order would hand out `late` now and skip `early` once it commits.
    expect(await readLogRecords(dbs.main, start, 100)).toEqual([]);
    await commit(slow);
    expect(await readUntil(start, 2)).toEqual([early!.id, late!.id]);
  });
});

test('4 writers x 5,000 records committing out of order: a reader following along gets each exactly once', async () => {
  const WRITERS = 4;
  const PER_WRITER = 5_000;
  const startCursor = await lastCursor();

  // Commit events, so that a "slow" transaction can wait for another writer's commit (no sleeps).
  let commits = 0;
  const commitWaiters: Array<() => void> = [];
  const committed = () => {
    commits++;
    commitWaiters.splice(0).forEach((resolve) => resolve());
  };
  const nextCommit = () => new Promise<void>((resolve) => commitWaiters.push(resolve));
  let running = WRITERS;
  let outOfOrder = 0;
  let slowOpen = false;

  const writer = async (w: number) => {
    const mine = logs(PER_WRITER, `w${w}`);
    for (let offset = 0, batch = 0; offset < mine.length; batch++) {
      const size = 1 + ((batch * 7 + w * 13) % 40);
      const client = await begin();
      await insertLogRecords(client, mine.slice(offset, offset + size));
      offset += size;
      // Now and then (one at a time) a transaction stays open until another writer has committed after it.
      if (batch % 5 === w % 5 && running > 1 && !slowOpen) {
        slowOpen = true;
        const seen = commits;
        await nextCommit();
        slowOpen = false;
        if (commits > seen) outOfOrder++;
      }
      await commit(client);
      committed();
    }
    running--;
    commitWaiters.splice(0).forEach((resolve) => resolve());
    return mine.map((l) => l.id);
  };

  const reader = readUntil(startCursor, WRITERS * PER_WRITER);
  const written = (await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))).flat();
  const read = await reader;

  expect(outOfOrder).toBeGreaterThan(50);
  expect(read).toHaveLength(WRITERS * PER_WRITER);
  expect(new Set(read).size).toBe(read.length);
  expect([...read].sort()).toEqual([...written].sort());
  // The reader's order is the cursor order: reading everything again gives the same sequence.
  expect(await readUntil(startCursor, read.length)).toEqual(read);
});

/** The position after everything stored so far (the start of the log when it is empty). */
async function lastCursor(): Promise<LogCursor> {
  const result = await dbs.main.query<LogCursor>('SELECT xid::text AS xid, seq FROM log_records ORDER BY xid DESC, seq DESC LIMIT 1');
  return result.rows[0] ?? START_OF_LOG;
}
