// The HTTP server of an Express app, with requests and responses created with the app's own
// prototypes. Express otherwise changes the prototype of every request and response it handles
// (Object.setPrototypeOf(req, app.request) in app.handle), which turns objects that Node's HTTP code
// reads on every step into ones V8 can no longer optimise: on this project's webserver that was more
// than half of the CPU time per request (BENCHMARKS.md). Here Node's server builds them as instances
// of classes whose prototypes Express then finds already in place, so its per-request change is a
// no-op (the approach of expressjs/express#5998). Only for apps that mount no other Express app.
// The server has the deadlines and JSON refusals of every server here (create-http-server.ts).
import http from 'node:http';
import type { Express } from 'express';
import { createHttpServer, type HttpTimeouts } from './create-http-server.js';

type Prototypes = { request: object; response: object };

/** Puts `proto` in the app's place for `key`: Express's methods above it, the app's own properties (app) on it. */
function adopt(app: Prototypes, key: keyof Prototypes, proto: object): void {
  const current = app[key];
  Object.setPrototypeOf(proto, Object.getPrototypeOf(current));
  for (const name of Reflect.ownKeys(current)) Object.defineProperty(proto, name, Object.getOwnPropertyDescriptor(current, name)!);
  app[key] = proto;
}

export function expressServer(app: Express, timeouts: HttpTimeouts): http.Server {
  class Request extends http.IncomingMessage {}
  class Response<R extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<R> {}
  adopt(app as unknown as Prototypes, 'request', Request.prototype);
  adopt(app as unknown as Prototypes, 'response', Response.prototype);
  return createHttpServer({ IncomingMessage: Request, ServerResponse: Response }, app, timeouts);
}
