import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLines, recoverTail, TargetFileError } from './target-file.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'target-file-'));
  file = join(dir, 'export.jsonl');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const record = (id: string) => JSON.stringify({ id, created: '2026-11-23T09:00:00.000Z', log: { ip: '::1', method: 'GET', uri: '/', status_code: 200 } });

async function recover(content: string): Promise<{ id: string | null; after: string }> {
  writeFileSync(file, content);
  const handle = await open(file, 'a+');
  try {
    const id = await recoverTail(handle);
    return { id, after: readFileSync(file, 'utf8') };
  } finally {
    await handle.close();
  }
}

describe('recoverTail: the file is its own cursor', () => {
  test.each([
    ['an empty file', '', null, ''],
    ['whole lines', `${record('a')}\n${record('b')}\n`, 'b', `${record('a')}\n${record('b')}\n`],
    ['a torn last line is cut off', `${record('a')}\n${record('b')}\n${record('c').slice(0, 30)}`, 'b', `${record('a')}\n${record('b')}\n`],
    ['a torn first line leaves an empty file', record('a').slice(0, 10), null, ''],
    ['a long file', Array.from({ length: 3_000 }, (_, i) => `${record(`r${i}`)}\n`).join(''), 'r2999', null],
  ])('%s', async (_name, content, id, after) => {
    const result = await recover(content);
    expect(result.id).toBe(id);
    expect(result.after).toBe(after ?? content);
  });

  test('a last line that is not a record is an error, and the file is left as it is', async () => {
    await expect(recover('not json\n')).rejects.toBeInstanceOf(TargetFileError);
    expect(readFileSync(file, 'utf8')).toBe('not json\n');
  });
});

test('appendLines writes whole lines after what is there', async () => {
  writeFileSync(file, `${record('a')}\n`);
  const handle = await open(file, 'a+');
  await appendLines(handle, [record('b'), record('c')]);
  expect(await recoverTail(handle)).toBe('c');
  await handle.close();
  expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
});
