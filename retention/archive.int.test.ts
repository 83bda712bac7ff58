import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { createPool, type Pool } from '../common/db/pool.js';
import { dropDatabase, ensureDatabase } from '../common/db/database-admin.js';
import { POSTGRES_URL, uniqueName } from '../test/helpers/databases.js';
import { silentLogger } from '../test/helpers/logger.js';
import { appendArchive, archivePartition, partitionArchiveFile } from './archive.js';

const url = `${POSTGRES_URL}/${uniqueName('archive')}`;
let db: Pool;
let dir: string;

// A partition's shape: a uuid id, a timestamp, jsonb, and text that holds what a JSON line must escape.
async function createTable(name: string): Promise<void> {
  await db.query(`CREATE TABLE ${name} (id uuid PRIMARY KEY, created timestamptz NOT NULL, body jsonb NOT NULL, note text, n integer NOT NULL)`);
}

async function tableRows(name: string): Promise<unknown[]> {
  const { rows } = await db.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM ${name} t ORDER BY id`);
  return rows.map((r) => r.row);
}

function readArchive(file: string): unknown[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

beforeAll(async () => {
  await ensureDatabase(url);
  db = createPool(url, 'timer-test', 3, silentLogger());
  await createTable('timers_p20261101');
  // 12,000 rows: two whole batches and a part of a third. Ids are inserted out of order, so the file's
  // order comes from the archive, not from the heap.
  await db.query(
    `
    INSERT INTO timers_p20261101 (id, created, body, note, n)
    SELECT id, now() - make_interval(secs => n), jsonb_build_object('url', 'https://example.test/hook?n=' || n, 'headers', jsonb_build_object('x-n', n), 'nested', jsonb_build_array(n, null, true)),
           CASE WHEN n % 3 = 0 THEN NULL ELSE 'line one' || E'\n' || 'line "two"' || E'\t' || 'zwölf → 十二 🕰 ' || n END, n
    FROM unnest($1::uuid[]) WITH ORDINALITY AS ids(id, n)
    ORDER BY random()`,
    [Array.from({ length: 12_000 }, () => uuidv7())],
  );
});

afterAll(async () => {
  await db.end();
  await dropDatabase(url);
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'retention-archive-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('archivePartition', () => {
  test('writes every row of the partition, in id order, as gzip JSON lines equal to the rows', async () => {
    const file = partitionArchiveFile(join(dir, 'not', 'yet', 'made'), 'timers_p20261101');
    const result = await archivePartition(db, 'timers_p20261101', file);
    const expected = await tableRows('timers_p20261101');
    expect(expected).toHaveLength(12_000);
    expect(result.rows).toBe(12_000);
    expect(result.bytes).toBe(readFileSync(file).length);
    expect(readArchive(file)).toEqual(expected);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  test('replaces an earlier archive of that name', async () => {
    await createTable('timers_p20261102');
    await db.query(`INSERT INTO timers_p20261102 (id, created, body, note, n) VALUES ($1, now(), '{"a": 1}', 'first', 1)`, [uuidv7()]);
    const file = partitionArchiveFile(dir, 'timers_p20261102');
    writeFileSync(file, 'an archive of an earlier, called-off removal');
    await archivePartition(db, 'timers_p20261102', file);
    await db.query(`INSERT INTO timers_p20261102 (id, created, body, note, n) VALUES ($1, now(), '{"b": 2}', 'second', 2)`, [uuidv7()]);
    const result = await archivePartition(db, 'timers_p20261102', file);
    expect(result.rows).toBe(2);
    expect(readArchive(file)).toEqual(await tableRows('timers_p20261102'));
  });

  test('an empty partition gives a valid empty gzip file', async () => {
    await createTable('timers_p20261103');
    const file = partitionArchiveFile(dir, 'timers_p20261103');
    const result = await archivePartition(db, 'timers_p20261103', file);
    expect(result.rows).toBe(0);
    expect(result.bytes).toBeGreaterThan(0);
    expect(gunzipSync(readFileSync(file)).length).toBe(0);
  });

  test('a partition name is quoted, never run as SQL, and a failed archive leaves no file behind', async () => {
    const file = join(dir, 'odd.jsonl.gz');
    await expect(archivePartition(db, 'timers_p20261101 t; DROP TABLE timers_p20261101; --', file)).rejects.toThrow(/does not exist/);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect((await tableRows('timers_p20261101')).length).toBe(12_000);
  });
});

describe('appendArchive', () => {
  test('each call appends a gzip member; the file reads back as all lines in order', async () => {
    const file = join(dir, 'day', 'timers_history-20261123.jsonl.gz');
    const first = [JSON.stringify({ id: uuidv7(), note: 'a\nb' }), JSON.stringify({ id: uuidv7(), note: 'ünï 🕰' })];
    const second = [JSON.stringify({ id: uuidv7(), body: { x: [1, null] } })];
    const bytesFirst = await appendArchive(file, first);
    const bytesSecond = await appendArchive(file, second);
    expect(readFileSync(file).length).toBe(bytesFirst + bytesSecond);
    expect(readArchive(file)).toEqual([...first, ...second].map((line) => JSON.parse(line) as unknown));
  });

  test('rows returned by a DELETE are archived as they were', async () => {
    await createTable('timers_p20261104');
    await db.query(`INSERT INTO timers_p20261104 (id, created, body, note, n) SELECT id, now(), jsonb_build_object('n', n), E'x\\ny', n FROM unnest($1::uuid[]) WITH ORDINALITY AS ids(id, n)`, [
      [uuidv7(), uuidv7(), uuidv7()],
    ]);
    const before = await tableRows('timers_p20261104');
    const { rows } = await db.query<{ line: string }>('DELETE FROM timers_p20261104 t RETURNING to_jsonb(t)::text AS line');
    const file = join(dir, 'timers_p20261104-20261123.jsonl.gz');
    await appendArchive(
      file,
      rows.map((r) => r.line),
    );
    const byId = (a: unknown, b: unknown) => ((a as { id: string }).id < (b as { id: string }).id ? -1 : 1);
    expect(readArchive(file).sort(byId)).toEqual(before);
  });

  test('no lines write nothing', async () => {
    const file = join(dir, 'none.jsonl.gz');
    expect(await appendArchive(file, [])).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});
