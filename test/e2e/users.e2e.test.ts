// End to end through nginx: users and tokens on a whole stack with two webserver replicas
// (one JWT key for both), and the registration mail with the SMTP server down, then up: the task
// retries through the real timer pipeline (consumer, poller, trigger), and each user gets exactly one mail.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { startTestStack, freePort, type TestStack } from '../helpers/test-stack.js';
import { MailSink } from '../helpers/mail-sink.js';

jest.setTimeout(120_000);

let env: TestStack;
let db: pg.Pool;
let smtpPort: number;

beforeAll(async () => {
  smtpPort = await freePort(); // nothing listens there until the test starts a sink
  env = await startTestStack({
    replicas: { webserver: 2, consumer: 1, timer: 1, trigger: 1, worker: 1 },
    shards: 1,
    env: { SMTP_PORT: String(smtpPort), TASK_RETRY_BASE_MS: '100', SMTP_TIMEOUT_MS: '2000' },
  });
  db = new pg.Pool({ connectionString: env.mainDbUrl, max: 2 });
});

afterAll(async () => {
  await db?.end();
  await env?.teardown();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${env.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function mailTasks(): Promise<Array<{ state: string; attempts: number }>> {
  return (await db.query(`SELECT state, attempts FROM tasks WHERE type = 'send_registration_email'`)).rows;
}

it('a token from one replica works on every replica; another user cannot read it', async () => {
  expect((await post('/users', { email: 'one@example.com', password: 'password-one' })).status).toBe(201);
  const token = ((await (await post('/token', { email: 'one@example.com', password: 'password-one' })).json()) as { access_token: string }).access_token;
  // nginx spreads these over both webservers.
  const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${env.url}/users/me`, { headers: { authorization: `Bearer ${token}` } })));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
  const timer = await post('/timer', { seconds: 3600, url: 'http://127.0.0.1:9/hook' }, { authorization: `Bearer ${token}` });
  expect(timer.status).toBe(201);
  const { id } = (await timer.json()) as { id: string };
  expect((await fetch(`${env.url}/timer/${id}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  expect((await fetch(`${env.url}/timer/${id}`)).status).toBe(404);
  const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
  const refused = await fetch(`${env.url}/users/me`, { headers: { authorization: `Bearer ${forged}` } });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
});

it('SMTP down, then up: registrations succeed at once, the mails retry through the timer pipeline, one mail each', async () => {
  const emails = ['two@example.com', 'three@example.com', 'four@example.com'];
  for (const email of emails) expect((await post('/users', { email, password: 'password-123' })).status).toBe(201);
  // Every mail task has failed and come back through the pipeline at least once while SMTP is down.
  for (;;) {
    const tasks = await mailTasks();
    if (tasks.length === 4 && tasks.every((t) => t.attempts >= 2 && t.state === 'queued')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sink = new MailSink();
  await sink.listen(smtpPort);
  try {
    const mails = await sink.waitForMails(4);
    for (;;) {
      const tasks = await mailTasks();
      if (tasks.every((t) => t.state === 'succeeded')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sink.mails.map((m) => m.to[0]).sort()).toEqual(['one@example.com', ...emails].sort());
    expect(mails.every((m) => m.subject === 'Welcome to the timer service')).toBe(true);
    const sent = await db.query('SELECT count(*)::int AS n FROM users WHERE registration_mail_sent_at IS NOT NULL');
    expect(sent.rows[0].n).toBe(4);
  } finally {
    await sink.close();
  }
});
