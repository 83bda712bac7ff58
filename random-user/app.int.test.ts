// Integration: the random-user service against a stand-in upstream and a real PostgreSQL.
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { silentLogger } from '../test/helpers/logger.js';
import { RandomUserUpstream } from '../test/helpers/random-user-upstream.js';
import { createRandomUserApp } from './app.js';

let dbs: TestDatabases;
let upstream: RandomUserUpstream;
let server: Server;
let base: string;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  upstream = new RandomUserUpstream();
  const upstreamUrl = await upstream.listen();
  server = createRandomUserApp({ db: dbs.main, log: silentLogger(), upstreamUrl, upstreamTimeoutMs: 300 }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await upstream.close();
  await dbs.drop();
});

beforeEach(() => {
  upstream.mode = 'ok';
});

const storedCount = async () => (await dbs.main.query<{ n: number }>('SELECT count(*)::int AS n FROM random_users')).rows[0]!.n;

it('GET / fetches a user, stores it and answers the stored user', async () => {
  const res = await fetch(`${base}/`);
  expect(res.status).toBe(200);
  const user = (await res.json()) as Record<string, unknown>;
  expect(user).toMatchObject({ gender: 'female', title: 'Ms', first_name: 'First1', last_name: 'Last1', email: 'user1@example.com', username: 'user1', country: 'United States' });
  const row = (await dbs.main.query('SELECT first_name, raw FROM random_users WHERE id = $1', [user.id])).rows[0];
  expect(row.first_name).toBe('First1');
  expect(row.raw.login.username).toBe('user1');
});

it.each([
  ['error', /HTTP 500: Uh oh/],
  ['not-json', /not JSON/],
  ['hang', /no answer within 300 ms/],
] as const)('an upstream that fails (%s) gives 502 and stores nothing', async (mode, message) => {
  upstream.mode = mode;
  const before = await storedCount();
  const res = await fetch(`${base}/`);
  expect(res.status).toBe(502);
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe('upstream_failed');
  expect(body.message).toMatch(message);
  expect(await storedCount()).toBe(before);
});
