// A whole stack for an end-to-end test file: its own databases, queue names and ports, torn down after;
// every answer its API gives the tests is checked against the OpenAPI description (checked-answers.ts).
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startStack, databaseUrls, type Stack, type ProcessKind } from '../../launcher/stack.js';
import type { ClientLimits } from '../../launcher/nginx-conf.js';
import { dropDatabase } from '../../common/db/database-admin.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { beforeAll, afterAll } from '@jest/globals';
import { AMQP_URL, deleteTopology } from './broker.js';
import { WebhookReceiver } from './webhook-receiver.js';
import { POSTGRES_URL, uniqueName } from './databases.js';
import { freePort } from '../../launcher/free-port.js';
import { MailSink } from '../../launcher/mail-sink.js';
import { watchAnswers } from './checked-answers.js';

export { freePort } from '../../launcher/free-port.js';

export interface TestStack {
  stack: Stack;
  url: string;
  mainDbUrl: string;
  /** the random-user service's own nginx port, when the stack has random-user replicas */
  randomUserUrl: string | null;
  /** the SMTP server the stack's workers send to (registration mails) */
  mailSink: MailSink;
  teardown(): Promise<void>;
}

export async function startTestStack(opts: { replicas?: Partial<Record<ProcessKind, number>>; shards?: number; env?: Record<string, string>; clientLimits?: ClientLimits } = {}): Promise<TestStack> {
  const name = uniqueName('e2e');
  const shards = opts.shards ?? 2;
  const port = await freePort();
  const webserverPorts = await Promise.all(Array.from({ length: opts.replicas?.webserver ?? 2 }, () => freePort()));
  const randomUserPorts = await Promise.all(Array.from({ length: opts.replicas?.['random-user'] ?? 0 }, () => freePort()));
  const randomUserPublicPort = randomUserPorts.length > 0 ? await freePort() : undefined;
  const mailSink = new MailSink();
  const smtpPort = await mailSink.listen();
  const stack = await startStack({
    replicas: { webserver: webserverPorts.length, consumer: 2, timer: 2, trigger: 2, ...opts.replicas },
    shards,
    port,
    webserverBasePort: webserverPorts[0]!,
    webserverPorts,
    randomUserPorts,
    randomUserPublicPort,
    name,
    queuePrefix: `${name}.`,
    amqpUrl: AMQP_URL,
    postgresUrl: POSTGRES_URL,
    runDir: join(tmpdir(), name),
    autoRestart: false,
    env: { LOG_LEVEL: process.env.TEST_STACK_LOG_LEVEL ?? 'info', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtpPort), ...opts.env },
    clientLimits: opts.clientLimits,
  });
  // Every answer the file's tests get through the stack's nginx is checked against the OpenAPI description.
  const unwatch = watchAnswers(stack.url);
  return {
    stack,
    url: stack.url,
    mainDbUrl: stack.env.MAIN_DB_URL!,
    randomUserUrl: randomUserPublicPort === undefined ? null : `http://127.0.0.1:${randomUserPublicPort}`,
    mailSink,
    async teardown() {
      unwatch();
      await stack.stop();
      await mailSink.close();
      await deleteTopology(queueNames(`${name}.`));
      const urls = databaseUrls(POSTGRES_URL, name, shards);
      if (process.env.KEEP_TEST_DATABASES !== '1') await Promise.all([urls.main, ...urls.shards].map((url) => dropDatabase(url)));
    },
  };
}

/**
 * For an end-to-end file: a whole stack and a webhook receiver, started before its tests and torn
 * down after them. The returned object's fields are set once beforeAll has run.
 */
export function useStackWithReceiver(opts: Parameters<typeof startTestStack>[0] = {}) {
  const handles = {} as { env: TestStack; receiver: WebhookReceiver; hook: string };
  beforeAll(async () => {
    handles.receiver = new WebhookReceiver();
    handles.hook = await handles.receiver.listen();
    handles.env = await startTestStack(opts);
  });
  afterAll(async () => {
    await handles.env?.teardown();
    await handles.receiver?.close();
  });
  return handles;
}
