// Integration, users and mail: registering sends one mail through a worker, nodemailer and a real SMTP server
// on loopback (smtp-server). SMTP down: the user exists, the task retries through the timer machinery
// (the test takes the retry timer and dispatches it as the trigger does), and once SMTP is up exactly
// one mail goes out; redeliveries send nothing more; when attempts run out the task ends failed.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AmqpClient } from '../common/broker/amqp.js';
import { queueNames } from '../common/broker/queue-names.js';
import { findTask, type TaskRow } from '../common/store/tasks.js';
import { incomingTimerMessage } from '../common/messages/timer-message.js';
import { decodeMessage } from '../common/messages/decode.js';
import { taskIdOfTarget } from '../common/tasks/task-timer.js';
import { smtpMailer, type Mailer } from './mailer.js';
import { deadLetterer } from '../common/broker/dead-letter.js';
import { dispatchTask } from '../trigger/dispatch-task.js';
import { createTestDatabases, type TestDatabases } from '../test/helpers/databases.js';
import { AMQP_URL, deleteTopology, testQueuePrefix } from '../test/helpers/broker.js';
import { silentLogger } from '../test/helpers/logger.js';
import { AppServers, takeMessage } from '../test/helpers/app-servers.js';
import { appDeps } from '../test/helpers/app-deps.js';
import { MailSink, smtpSettings } from '../test/helpers/mail-sink.js';
import { freePort } from '../launcher/free-port.js';
import { createApp } from '../webserver/app.js';
import { TaskReplies } from '../webserver/tasks/task-replies.js';
import type { TaskDeps } from '../webserver/tasks/submit-task.js';
import { taskRegistry } from './tasks/registry.js';
import { taskContracts } from '../common/tasks/contracts.js';
import { taskHandler } from './handle-task.js';
import { REGISTRATION_MAIL_SUBJECT } from './tasks/send-registration-email.js';

jest.setTimeout(60_000);

const prefix = testQueuePrefix();
const log = silentLogger();
let dbs: TestDatabases;
let amqp: AmqpClient;
let base: string;
let fewAttemptsBase: string;
const servers = new AppServers();
/** The worker's SMTP server: switched by each test. */
let mailer: Mailer;

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  amqp = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-mail-${prefix}`);
  const replies = new TaskReplies(dbs.main, log);
  amqp.onPublishChannel(replies.attach);
  await amqp.start();
  await amqp.waitForConnect();
  const registry = taskRegistry({ testing: false });
  const tasks: TaskDeps = { amqp, mainDb: dbs.main, contracts: taskContracts({ testing: false }), replies, defaultTimeoutS: 10, defaultMaxAttempts: 2, maxWaitS: 5, sumMaxNumbers: 100, now: Date.now };
  const auth = { mainDb: dbs.main, tokens: { secret: 'mail test secret of at least 32 bytes', algorithm: 'HS256' as const, expiresInMin: 5 }, required: false, adminEmails: [] };
  base = await servers.listen(createApp(appDeps({ amqp, mainDb: dbs.main, log, tasks, auth, registrationMailMaxAttempts: 10 })));
  fewAttemptsBase = await servers.listen(createApp(appDeps({ amqp, mainDb: dbs.main, log, tasks, auth, registrationMailMaxAttempts: 2 })));
  const handler = taskHandler({
    db: dbs.main,
    amqp,
    registry,
    workerName: 'test:mail',
    retryBaseMs: 10,
    randomUserServiceUrl: 'http://127.0.0.1:1/',
    mailer: { send: (message) => mailer.send(message) },
    deadLetter: deadLetterer(amqp, log),
    log,
    now: Date.now,
  });
  await amqp.consume(amqp.names.tasks, 20, handler.handle);
});

afterAll(async () => {
  await servers.closeAll();
  await amqp.close();
  await deleteTopology(queueNames(prefix));
  await dbs.drop();
});

async function register(email: string, name: string | null, at = base): Promise<{ id: string }> {
  const res = await fetch(`${at}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'password-123', name }) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

async function mailTask(userId: string): Promise<TaskRow> {
  const rows = await dbs.main.query<{ id: string }>(`SELECT id FROM tasks WHERE type = 'send_registration_email' AND args->>'user_id' = $1`, [userId]);
  expect(rows.rows).toHaveLength(1);
  return (await findTask(dbs.main, rows.rows[0]!.id))!;
}

/** Polls the task until `done` holds: waits on the worker's progress, not on a clock. */
async function until(userId: string, done: (task: TaskRow) => boolean): Promise<TaskRow> {
  for (;;) {
    const task = await mailTask(userId);
    if (done(task)) return task;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The next retry timer the worker published: the task it is for. */
async function takeRetryTimer(): Promise<string> {
  return taskIdOfTarget(decodeMessage(incomingTimerMessage, await takeMessage(amqp.names.incomingTimers)).url)!;
}

describe('send_registration_email', () => {
  it('sends the registration mail: recipient, subject, body', async () => {
    const sink = new MailSink();
    mailer = smtpMailer(smtpSettings(await sink.listen()));
    try {
      const user = await register('  Ivy@Example.com', 'Ivy <script>');
      const [mail] = await sink.waitForMails(1);
      expect(mail!.to).toEqual(['ivy@example.com']);
      expect(mail!.from).toBe('tests@timer-service.local');
      expect(mail!.subject).toBe(REGISTRATION_MAIL_SUBJECT);
      expect(mail!.messageId).toBe(`<registration-${user.id}@timer-service>`);
      expect(mail!.text).toContain('Hello Ivy <script>,');
      expect(mail!.text).toContain('your timer service account ivy@example.com is registered.');
      expect(mail!.text).toContain(`Your user id: ${user.id}`);
      expect(mail!.raw).not.toContain('password-123');
      const task = await until(user.id, (t) => t.state === 'succeeded');
      expect(task).toMatchObject({ attempts: 1, result: { sent: true }, owner_id: user.id });
      const row = await dbs.main.query('SELECT registration_mail_sent_at FROM users WHERE id = $1', [user.id]);
      expect(row.rows[0].registration_mail_sent_at).toBeInstanceOf(Date);
      expect(sink.mails).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });

  it('SMTP down, then up: the user exists at once, the task retries, exactly one mail goes out', async () => {
    const port = await freePort();
    mailer = smtpMailer(smtpSettings(port)); // nothing listens there yet
    const user = await register('judy@example.com', null);
    const me = await fetch(`${base}/users/${user.id}`);
    expect(me.status).toBe(401); // exists, but only to itself
    expect((await dbs.main.query('SELECT count(*)::int AS n FROM users WHERE id = $1', [user.id])).rows[0].n).toBe(1);

    // Attempt 1 fails on the refused connection; the worker publishes a retry timer and requeues the task.
    const retryOf = await takeRetryTimer();
    const failed = await until(user.id, (t) => t.state === 'queued' && t.attempts === 1 && t.error !== null);
    expect(retryOf).toBe(failed.id);
    expect(failed.error).toMatch(/ECONNREFUSED|connect/i);

    // SMTP comes up; the trigger dispatches the due retry.
    const sink = new MailSink();
    await sink.listen(port);
    try {
      await dispatchTask(amqp, failed.id);
      await sink.waitForMails(1);
      const done = await until(user.id, (t) => t.state === 'succeeded');
      expect(done).toMatchObject({ attempts: 2, result: { sent: true } });

      // A duplicate delivery of the finished task is dropped ...
      await dispatchTask(amqp, failed.id);
      // ... and a run after a lost ack (the task back to queued) finds the mail recorded and sends nothing.
      await dbs.main.query(`UPDATE tasks SET state = 'queued', result = NULL WHERE id = $1`, [failed.id]);
      await dispatchTask(amqp, failed.id);
      const again = await until(user.id, (t) => t.state === 'succeeded' && t.attempts >= 3);
      expect(again.result).toEqual({ sent: false, reason: 'already sent' });
      expect(sink.mails.map((m) => m.to)).toEqual([['judy@example.com']]);
    } finally {
      await sink.close();
    }
  });

  it('ends failed, and visible to its user, when the attempts run out', async () => {
    mailer = smtpMailer(smtpSettings(await freePort()));
    const user = await register('kim@example.com', 'Kim', fewAttemptsBase);
    await takeRetryTimer();
    const first = await until(user.id, (t) => t.state === 'queued' && t.attempts === 1);
    await dispatchTask(amqp, first.id);
    const failed = await until(user.id, (t) => t.state === 'failed');
    expect(failed).toMatchObject({ attempts: 2, max_attempts: 2 });
    expect(failed.error).toMatch(/ECONNREFUSED|connect/i);
    const token = await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'kim@example.com', password: 'password-123' }) });
    const { access_token } = (await token.json()) as { access_token: string };
    const listed = await fetch(`${base}/tasks?type=send_registration_email`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(((await listed.json()) as { tasks: Array<{ id: string; state: string }> }).tasks).toEqual([expect.objectContaining({ id: failed.id, state: 'failed' })]);
  });

  it('cannot be submitted through POST /tasks', async () => {
    const res = await fetch(`${base}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'send_registration_email', args: { user_id: '0190a8a4-0000-7000-8000-000000000001' } }),
    });
    expect(res.status).toBe(422);
  });
});
