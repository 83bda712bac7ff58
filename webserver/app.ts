// The webserver's Express application: routes, request ids, and JSON errors for everything else.
import express, { type Express } from 'express';
import type { Logger } from '../common/observability/logger.js';
import { timerRoutes, type TimerRouteDeps } from './timers/timer-routes.js';
import { healthRoutes } from './health/health-routes.js';
import { timerListRoutes } from './timers/timer-list-routes.js';
import { replayRoutes, type ReplayRouteDeps } from './timers/replay-routes.js';
import { shedLoad } from './http/shed-load.js';
import { logRoutes } from './logs/log-routes.js';
import { timerManageRoutes } from './timers/timer-manage-routes.js';
import { batchRoutes } from './timers/batch-routes.js';
import { apiErrorHandler, notFound } from './http/http-errors.js';
import type { TaskDeps } from './tasks/submit-task.js';
import { taskRoutes } from './tasks/task-routes.js';
import { taskTypeRoutes } from './tasks/task-type-routes.js';
import { sumRoutes } from './tasks/sum-routes.js';
import { parseRoutes } from './tasks/parse-routes.js';
import { metricsRoute } from '../common/observability/metrics-server.js';
import { requestIds } from './http/request-id.js';
import { refuseUnstorableQuery } from './http/storable-input.js';
import { docsRoutes } from './openapi/docs-routes.js';
import { authenticate, type AuthDeps } from './auth/authenticate.js';
import { userRoutes } from './users/user-routes.js';
import { tokenRoutes } from './auth/token-routes.js';
import { dashboardApi, dashboardPage } from './dashboard/dashboard-routes.js';
import { DEFAULT_LOGIN_SETTINGS, LoginThrottle, type LoginSettings } from './auth/login-throttle.js';
import { PasswordSlots } from './auth/password-slots.js';
import { loadConfig } from '../common/process/config.js';
import { scheduleRoutes, type ScheduleRouteDeps } from './schedules/schedule-routes.js';
import { deadLetterRoutes } from './dead-letters/dead-letter-routes.js';
import { flowControlRoutes } from './flow-control/flow-control-routes.js';
import { deliveriesRoutes } from './flow-control/deliveries-routes.js';

/** The routes a client reaches without a token even when AUTH_REQUIRED: registering and logging in. */
const OPEN_ROUTES = new Set(['POST /users', 'POST /token']);
const isOpenRoute = (method: string, path: string) => OPEN_ROUTES.has(`${method} ${path.replace(/\/+$/, '')}`);

/** The dashboard's settings (DASHBOARD_OPEN, HEARTBEAT_INTERVAL_MS, RABBITMQ_MANAGEMENT_URL). */
export interface DashboardSettings {
  open: boolean;
  heartbeatIntervalMs: number;
  rabbitmqManagementUrl: string;
}
const DASHBOARD_DEFAULTS: DashboardSettings = { open: false, heartbeatIntervalMs: 5_000, rabbitmqManagementUrl: 'http://localhost:15672/' };

/** TRUSTED_PROXIES unless told: loopback, where nginx runs in a local stack. */
const DEFAULT_TRUSTED_PROXIES = loadConfig({}).TRUSTED_PROXIES;

/**
 * `tasks` adds the task API and the sum and parse services' routes; `auth` with `tasks`,
 * users and tokens. Without `auth` every client is anonymous
 * (and the dashboard's data is refused unless `dashboard.open`).
 */
export function createApp(
  deps: TimerRouteDeps &
    ReplayRouteDeps &
    Pick<ScheduleRouteDeps, 'scheduleDueSoonMs'> & {
      log: Logger;
      maxInFlight: number;
      tasks?: TaskDeps;
      auth?: AuthDeps;
      registrationMailMaxAttempts?: number;
      dashboard?: DashboardSettings;
      /** login throttling and password hashing slots, with `auth` */
      login?: LoginSettings;
      /** TRUSTED_PROXIES */
      trustedProxies?: readonly string[];
    },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // req.ip: the client nginx saw (the right end of X-Forwarded-For, past the trusted hops), or the
  // socket's address when the request does not come from a trusted proxy (webserver/auth/client-address.ts).
  app.set('trust proxy', [...(deps.trustedProxies ?? DEFAULT_TRUSTED_PROXIES)]);
  app.use(requestIds);
  app.use(refuseUnstorableQuery);
  app.use(healthRoutes(deps.amqp, deps.mainDb));
  app.get('/metrics', metricsRoute);
  app.use(docsRoutes());
  app.use(dashboardPage());
  app.use(shedLoad(deps.maxInFlight));
  const dashboard = deps.dashboard ?? DASHBOARD_DEFAULTS;
  // With DASHBOARD_OPEN, its data is open even when AUTH_REQUIRED closes the rest of the API.
  const open = (method: string, path: string) => isOpenRoute(method, path) || (dashboard.open && path.startsWith('/dashboard/api/'));
  app.use(authenticate(deps.auth, open));
  // POST /timer and GET /timer/{id} first: the busiest routes, matched before Express walks the others.
  app.use(timerRoutes(deps));
  app.use(dashboardApi({ ...dashboard, mainDb: deps.mainDb, amqp: deps.amqp, defaultMaxAttempts: deps.defaultMaxAttempts, now: deps.now }));
  if (deps.auth && deps.tasks) {
    const { auth, tasks } = deps;
    const login = deps.login ?? DEFAULT_LOGIN_SETTINGS;
    const passwordSlots = new PasswordSlots(login.hashConcurrency, login.hashQueue);
    const throttle = new LoginThrottle(deps.mainDb, login);
    app.use(tokenRoutes({ mainDb: deps.mainDb, tokens: auth.tokens, bodyLimitBytes: deps.bodyLimitBytes, throttle, passwordSlots }));
    app.use(userRoutes({ mainDb: deps.mainDb, auth, tasks, bodyLimitBytes: deps.bodyLimitBytes, registrationMailMaxAttempts: deps.registrationMailMaxAttempts ?? 10, passwordSlots }));
  }
  app.use(timerManageRoutes(deps));
  app.use(batchRoutes(deps));
  app.use(timerListRoutes(deps));
  app.use(replayRoutes(deps));
  app.use(scheduleRoutes({ ...deps, tasks: deps.tasks }));
  app.use(flowControlRoutes(deps), deliveriesRoutes(deps));
  app.use(logRoutes(deps));
  app.use(deadLetterRoutes(deps));
  if (deps.tasks) {
    const taskDeps = { ...deps.tasks, bodyLimitBytes: deps.bodyLimitBytes };
    // /tasks/types before /tasks/{id}, which would take "types" for a task id.
    app.use(
      taskTypeRoutes({ ...taskDeps, log: deps.log }),
      taskRoutes({ ...taskDeps, addressPolicy: deps.addressPolicy, retentionBounds: deps.retentionBounds }),
      sumRoutes(taskDeps),
      parseRoutes(taskDeps),
    );
  }
  app.use(notFound);
  app.use(apiErrorHandler(deps.log));
  return app;
}
