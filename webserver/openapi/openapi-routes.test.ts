// The OpenAPI description is complete: every route the webserver's Express app serves (walked from
// its router stack, task routes included) is described with its method, and every described path is
// served. A route added without its description fails here.
import type { Express } from 'express';
import type { AuthDeps } from '../auth/authenticate.js';
import { createApp } from '../app.js';
import { openApiDocument } from './openapi.js';
import { appDeps } from '../../test/helpers/app-deps.js';
import { silentLogger } from '../../test/helpers/logger.js';
import { taskContracts } from '../../common/tasks/contracts.js';
import type { TaskDeps } from '../tasks/submit-task.js';

interface Layer {
  rawPath?: string;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `METHOD /path/{param}` of every route under `stack`, in OpenAPI's path syntax. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      return paths.flatMap((path) =>
        Object.keys(layer.route!.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${(prefix + path).replace(/:(\w+)/g, '{$1}')}`),
      );
    }
    if (layer.handle?.stack) return routesOf(layer.handle.stack, prefix + (layer.rawPath === '/' || !layer.rawPath ? '' : layer.rawPath));
    return [];
  });
}

function appWithEveryRoute(): Express {
  // Only the routes are built, none is called: the dependencies are never used.
  const unused = {} as never;
  const tasks = {
    amqp: unused,
    mainDb: unused,
    replies: unused,
    contracts: taskContracts({ testing: false }),
    defaultTimeoutS: 60,
    defaultMaxAttempts: 3,
    maxWaitS: 25,
    sumMaxNumbers: 10,
    now: Date.now,
  } as TaskDeps;
  const auth = { mainDb: unused, tokens: unused, required: false, adminEmails: [] } as AuthDeps;
  return createApp({ ...appDeps({ amqp: unused, mainDb: unused, log: silentLogger() }), tasks, auth });
}

const described = () =>
  Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));

test('every route the app serves is in the OpenAPI description', () => {
  const routes = routesOf((appWithEveryRoute() as unknown as { router: { stack: Layer[] } }).router.stack);
  expect(routes.length).toBeGreaterThan(20);
  expect(routes).toContain('POST /timer');
  expect(routes).toContain('GET /timer/{id}');
  const missing = routes.filter((route) => !described().includes(route));
  expect(missing).toEqual([]);
});

test('every path in the description is served', () => {
  const routes = new Set(routesOf((appWithEveryRoute() as unknown as { router: { stack: Layer[] } }).router.stack));
  expect(described().filter((operation) => !routes.has(operation))).toEqual([]);
});
