// The webserver's app on real RabbitMQ and PostgreSQL, set up for the users-and-tokens integration
// tests: one app with AUTH_REQUIRED off and one with it on, and the calls those tests make.
// Timers are persisted by the consumer's own insert from the incoming_timers message the app
// published (owner_id travels in it).
import { afterAll, beforeAll, expect } from '@jest/globals';
import { AmqpClient } from '../../common/broker/amqp.js';
import { queueNames } from '../../common/broker/queue-names.js';
import { incomingTimersMessage, timersOf, type IncomingTimer } from '../../common/messages/timer-message.js';
import { decodeMessage } from '../../common/messages/decode.js';
import { insertTimers } from '../../common/store/timers.js';
import type { TokenSettings } from '../../common/auth/tokens.js';
import { createApp } from '../../webserver/app.js';
import { TaskReplies } from '../../webserver/tasks/task-replies.js';
import type { TaskDeps } from '../../webserver/tasks/submit-task.js';
import { taskContracts } from '../../common/tasks/contracts.js';
import { createTestDatabases, type TestDatabases } from './databases.js';
import { AMQP_URL, deleteTopology, testQueuePrefix } from './broker.js';
import { silentLogger } from './logger.js';
import { AppServers, takeMessage } from './app-servers.js';
import { appDeps } from './app-deps.js';
import { DEFAULT_LOGIN_SETTINGS, type LoginSettings } from '../../webserver/auth/login-throttle.js';

export type Json = Record<string, unknown>;
export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  base?: string;
  headers?: Record<string, string>;
}
export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

export const testTokens: TokenSettings = { secret: 'integration test secret, 32 bytes or more', algorithm: 'HS256', expiresInMin: 30 };

export interface UserApi {
  /** The test's own databases; set once beforeAll has run. */
  dbs: TestDatabases;
  /** The app with AUTH_REQUIRED=true; `call` goes to the other one unless told this base. */
  strictBase: string;
  call(path: string, opts?: CallOptions): Promise<Answer>;
  register(email: string, password?: string, name?: string): Promise<Answer>;
  login(email: string, password?: string): Promise<string>;
  userWithToken(email: string): Promise<{ id: string; token: string }>;
  /** Creates a timer and lets the consumer's insert store it from the published message. */
  createTimer(token?: string): Promise<string>;
  /** The timers of the next message the apps published to incoming_timers (a lone timer, or a batch). */
  nextIncomingTimers(): Promise<IncomingTimer[]>;
}

export interface UserApiOptions {
  /** login throttling and hashing slots; by default the configuration's throttling, and as many hashing slots as libuv has threads and a queue with room for the tests' bursts of registrations */
  login?: LoginSettings;
  /** TRUSTED_PROXIES of both apps (the configuration's loopback by default, so a test's X-Forwarded-For names the client) */
  trustedProxies?: readonly string[];
}

/** Starts both apps before the file's tests and removes their queues and databases after. */
export function useUserApi(options: UserApiOptions = {}): UserApi {
  const login = options.login ?? { ...DEFAULT_LOGIN_SETTINGS, hashConcurrency: 4, hashQueue: 1_000 };
  const prefix = testQueuePrefix();
  const log = silentLogger();
  const servers = new AppServers();
  let amqp: AmqpClient;
  let base: string;

  beforeAll(async () => {
    api.dbs = await createTestDatabases(1);
    amqp = new AmqpClient(AMQP_URL, queueNames(prefix), log, 2_000, `test-users-${prefix}`);
    const replies = new TaskReplies(api.dbs.main, log);
    amqp.onPublishChannel(replies.attach);
    await amqp.start();
    await amqp.waitForConnect();
    const tasks: TaskDeps = {
      amqp,
      mainDb: api.dbs.main,
      contracts: taskContracts({ testing: false }),
      replies,
      defaultTimeoutS: 10,
      defaultMaxAttempts: 2,
      maxWaitS: 5,
      sumMaxNumbers: 100,
      now: Date.now,
    };
    const app = (required: boolean) =>
      createApp(
        appDeps({
          amqp,
          mainDb: api.dbs.main,
          shards: api.dbs.shards,
          log,
          tasks,
          auth: { mainDb: api.dbs.main, tokens: testTokens, required, adminEmails: ['admin@example.com'] },
          login,
          trustedProxies: options.trustedProxies,
        }),
      );
    base = await servers.listen(app(false));
    api.strictBase = await servers.listen(app(true));
  });

  afterAll(async () => {
    await servers.closeAll();
    await amqp.close();
    await deleteTopology(queueNames(prefix));
    await api.dbs.drop();
  });

  const api: UserApi = {
    dbs: undefined as unknown as TestDatabases,
    strictBase: '',
    async call(path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${opts.base ?? base}${path}`, {
        method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
        headers,
        body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
    },
    register: (email, password = 'password-123', name) => api.call('/users', { body: { email, password, ...(name === undefined ? {} : { name }) } }),
    async login(email, password = 'password-123') {
      const res = await api.call('/token', { body: { email, password } });
      expect(res.status).toBe(200);
      return res.body.access_token as string;
    },
    async userWithToken(email) {
      const res = await api.register(email);
      expect(res.status).toBe(201);
      return { id: res.body.id as string, token: await api.login(email) };
    },
    async createTimer(token) {
      const res = await api.call('/timer', { token, body: { seconds: 3600, url: 'http://127.0.0.1:9/hook' } });
      expect(res.status).toBe(201);
      const [timer] = await api.nextIncomingTimers();
      expect(timer!.id).toBe(res.body.id);
      await insertTimers(api.dbs.main, [timer!]);
      return timer!.id;
    },
    nextIncomingTimers: async () => timersOf(decodeMessage(incomingTimersMessage, await takeMessage(amqp.names.incomingTimers))),
  };
  return api;
}
