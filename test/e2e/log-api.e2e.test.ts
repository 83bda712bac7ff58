// End to end through nginx for the access-log store: the /api/data routes, the client simulator with 4 workers, and
// two exporters sharing one file while one of them is killed with SIGKILL and started again.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { v4 as uuidv4 } from 'uuid';
import { formatLogLine, type AccessLog } from '../../common/messages/access-log-line.js';
import { ManagedProcess } from '../../launcher/managed-process.js';
import { errorAnswer, logPageAnswer, logRecordAnswer } from '../../webserver/openapi/openapi.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';

jest.setTimeout(180_000);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type LogRecord = { id: string; created: string; log: AccessLog };

let env: TestStack;
let db: pg.Client;
let work: string;
/** Records this file had accepted (201), all of which must end up stored, read and exported. */
let accepted = 0;

beforeAll(async () => {
  env = await startTestStack({ replicas: { webserver: 2, consumer: 2, timer: 1, trigger: 1 }, shards: 1 });
  db = new pg.Client({ connectionString: env.mainDbUrl });
  await db.connect();
  work = mkdtempSync(join(tmpdir(), 'log-e2e-'));
});

afterAll(async () => {
  await db?.end();
  await env?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${env.url}/api/data`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function postLine(line: string): Promise<LogRecord> {
  const res = await post({ log: line });
  expect(res.status).toBe(201);
  accepted++;
  return (await res.json()) as LogRecord;
}

async function getPage(query = ''): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${env.url}/api/data${query}`);
  return { status: res.status, body: await res.json() };
}

/** Every record through the cursor, `limit` at a time. */
async function readAll(limit = 1_000): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for (;;) {
    const last = all[all.length - 1];
    const { status, body } = await getPage(`?limit=${limit}${last ? `&id=${last.id}` : ''}`);
    expect(status).toBe(200);
    const page = body as LogRecord[];
    all.push(...page);
    if (page.length < limit) return all;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The full read once every record accepted so far is stored and visible through the cursor. */
async function readAllAccepted(): Promise<LogRecord[]> {
  for (;;) {
    const all = await readAll();
    if (all.length >= accepted) return all;
    await pause(20);
  }
}

function run(command: string[], envVars: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...command], { cwd: ROOT, env: { ...process.env, ...envVars } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the simulator with 4 workers: the union of its per-worker files is what the server stored', async () => {
  const out = join(work, 'simulator');
  const result = await run(['simulator/main.ts', '--url', env.url, '--threads', '4', '--requests', '300', '--delay', '5', '--out', out]);
  expect(result.stderr).toContain('simulating: 4 workers');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^sent 300, stored 300, errors 0, [\d.]+ requests\/s/m);
  accepted += 300;

  const files = readdirSync(out);
  expect(files).toHaveLength(4);
  for (const file of files) expect(file).toMatch(/^[A-Za-z0-9_-]{10}\.log$/);
  const sent = files.flatMap((file) => readFileSync(join(out, file), 'utf8').split('\n').filter(Boolean));
  const stored = (await readAllAccepted()).map((record) => formatLogLine(record.log));
  expect(sent.sort()).toEqual(stored.sort());
});

describe('POST /api/data and GET /api/data', () => {
  test('a line is answered 201 with the record shape its clients expect, IPv4 and IPv6', async () => {
    const v4 = logRecordAnswer.parse(await postLine('192.168.1.20 GET /index.html?x=1 200'));
    expect(v4.log).toEqual({ ip: '192.168.1.20', method: 'GET', uri: '/index.html?x=1', status_code: 200 });
    expect(Date.parse(v4.created)).toBeLessThanOrEqual(Date.now());
    const v6 = logRecordAnswer.parse(await postLine('2001:db8::1 POST https://example.com/a 503'));
    expect(v6.log).toEqual({ ip: '2001:db8::1', method: 'POST', uri: 'https://example.com/a', status_code: 503 });
  });

  test('a GET with the id of a record just posted answers 200 at once, through any replica', async () => {
    for (let i = 0; i < 30; i++) {
      const created = await postLine(`10.1.1.${i} PUT /ryw/${i} 204`);
      const { status, body } = await getPage(`?id=${created.id}`);
      expect(status).toBe(200);
      logPageAnswer.parse(body);
    }
  });

  test('records come in one order: paging with a small limit gives the same sequence as one read', async () => {
    const posted = await Promise.all(Array.from({ length: 60 }, (_, i) => postLine(`172.16.0.${i} DELETE /page/${i} 404`)));
    const all = await readAllAccepted();
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const ids = new Set(all.map((r) => r.id));
    for (const record of posted) expect(ids.has(record.id)).toBe(true);
    expect(await readAll(7)).toEqual(all);
    // After a record: exactly the ones behind it.
    const middle = all[Math.floor(all.length / 2)]!;
    const after = (await getPage(`?id=${middle.id}&limit=10000`)).body as LogRecord[];
    expect(after).toEqual(all.slice(all.indexOf(middle) + 1));
    expect((await getPage(`?id=${all[all.length - 1]!.id}`)).body as LogRecord[]).toEqual([]);
    const first = (await getPage('?limit=1')).body as LogRecord[];
    expect(first).toEqual([all[0]]);
  });

  test('an injection-shaped line is stored verbatim and harms nothing', async () => {
    const line = "1.2.3.4 GET /q?name=x';DROP(TABLE)log_records;-- 200";
    const created = await postLine(line);
    const all = await readAllAccepted();
    expect(formatLogLine(all.find((r) => r.id === created.id)!.log)).toBe(line);
  });

  test.each([
    ['three fields', '1.2.3.4 GET /', 'log'],
    ['a bad address', '999.1.1.1 GET / 200', 'ip'],
    ['an unknown method', '1.2.3.4 BREW / 200', 'method'],
    ['a relative uri', '1.2.3.4 GET index 200', 'uri'],
    ['status 600', '1.2.3.4 GET / 600', 'status_code'],
    ['a smuggled second line', '1.2.3.4 GET / 200\n5.6.7.8 GET /admin 200', 'log'],
    ['SQL', "'); DELETE FROM log_records; --", 'log'],
    ['a huge line', `1.2.3.4 GET /${'a'.repeat(9_000)} 200`, 'log'],
  ])('a line that does not parse (%s): 418 naming the field', async (_name, line, field) => {
    const res = await post({ log: line });
    expect(res.status).toBe(418);
    const body = errorAnswer.parse(await res.json());
    expect(body.error).toBe('unparsable_log');
    expect(body.details).toEqual([{ field, message: expect.any(String) }]);
  });

  test.each([
    ['not JSON', '{"log": ', 400, 'malformed_json'],
    ['no log field', { line: '1.2.3.4 GET / 200' }, 422, 'validation_failed'],
    ['log not a string', { log: 42 }, 422, 'validation_failed'],
    ['a JSON array', ['1.2.3.4 GET / 200'], 422, 'validation_failed'],
  ])('a bad body (%s)', async (_name, body, status, error) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(errorAnswer.parse(await res.json()).error).toBe(error);
  });

  test('a body that is not declared JSON: 415', async () => {
    const res = await post('log=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });

  test('an unknown id: 404; a malformed id or limit: 422 naming it', async () => {
    const unknown = await getPage(`?id=${uuidv4()}`);
    expect(unknown.status).toBe(404);
    expect(errorAnswer.parse(unknown.body).error).toBe('not_found');
    for (const [query, field] of [
      ['?id=nope', 'id'],
      ['?limit=0', 'limit'],
      ['?limit=10001', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=1.5', 'limit'],
    ]) {
      const bad = await getPage(query);
      expect(bad.status).toBe(422);
      const body = errorAnswer.parse(bad.body);
      expect(body.error).toBe('validation_failed');
      expect(body.details?.map((d) => d.field)).toEqual([field]);
    }
  });

  test('nothing refused was stored, and /openapi.json describes the routes', async () => {
    const all = await readAllAccepted();
    expect(all).toHaveLength(accepted);
    expect((await db.query('SELECT count(*)::int AS n FROM log_records')).rows[0]).toEqual({ n: accepted });
    const doc = (await (await fetch(`${env.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/data']!)).toEqual(['post', 'get']);
  });
});

describe('two exporters on one file', () => {
  const exporter = (name: string, file: string, intervalMs: number) =>
    new ManagedProcess({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, 'exporter', 'main.ts')],
      env: { ...process.env, API_URL: env.url, TARGET_FILE: file, EXPORT_INTERVAL_MS: String(intervalMs), EXPORT_PAGE_LIMIT: '25', EXPORT_LOCK_STALE_MS: '2000', LOG_LEVEL: 'info' },
      logFile: join(work, `${name}.log`),
      logsReady: true,
      autoRestart: false,
      echo: (line) => {
        if (line.includes('"msg":"exported"')) exports.set(name, (exports.get(name) ?? 0) + 1);
      },
    });
  const exports = new Map<string, number>();

  /** Waits until the file holds as many lines as there are records, and returns its lines. */
  async function fileCaughtUp(file: string): Promise<string[]> {
    const expected = (await readAllAccepted()).length;
    for (;;) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      if (lines.length - 1 >= expected && text.endsWith('\n')) return lines.slice(0, -1);
      await pause(50);
    }
  }

  function expectExactlyOnceInOrder(lines: string[], records: LogRecord[]): void {
    const parsed = lines.map((line) => JSON.parse(line) as LogRecord); // whole lines: each parses
    expect(parsed.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(parsed).toEqual(records);
  }

  test('every record lands once, in order, as whole lines, though one exporter is killed with SIGKILL and restarted', async () => {
    const file = join(work, 'export.jsonl');
    const a = exporter('exporter-a', file, 10);
    const b = exporter('exporter-b', file, 45);
    await Promise.all([a.start(), b.start()]);
    const again = exporter('exporter-a', file, 10);
    try {
      // A steady flow of new records while the exporters run.
      let flowing = true;
      const flow = Promise.all(
        Array.from({ length: 6 }, async (_, w) => {
          for (let i = 0; flowing; i++) await postLine(`10.9.${w}.${i % 250} GET /flow/${w}/${i} 200`);
        }),
      );
      while ((exports.get('exporter-a') ?? 0) < 3) await pause(10);
      await a.kill('SIGKILL');
      await again.start();
      // Records keep coming until both have exported some: which of the two takes the lock for the next
      // export is a race (the restarted one polls more often), so both having a share takes a while.
      while ((exports.get('exporter-a') ?? 0) < 6 || (exports.get('exporter-b') ?? 0) === 0) await pause(10);
      flowing = false;
      await flow;

      expectExactlyOnceInOrder(await fileCaughtUp(file), await readAllAccepted());
      expect(exports.get('exporter-b') ?? 0).toBeGreaterThan(0);

      // A write torn by a crash (as a holder killed mid-write leaves it): the next export cuts it off.
      const release = await lockfile.lock(file, { realpath: false, stale: 2000, retries: { retries: 10_000, minTimeout: 5, maxTimeout: 20 } });
      appendFileSync(file, '{"id":"0192f0e4-torn');
      await release();
      await Promise.all(Array.from({ length: 40 }, (_, i) => postLine(`10.8.0.${i} GET /after-tear/${i} 200`)));
      expectExactlyOnceInOrder(await fileCaughtUp(file), await readAllAccepted());
    } finally {
      await Promise.all([a.close(), b.close(), again.close()]);
    }
  });
});
