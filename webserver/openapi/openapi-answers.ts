// How the OpenAPI description writes answers: the JSON error every refusal carries, the helpers the
// paths are written with, and the answers any operation can meet besides its own (withCommonAnswers):
// those of nginx in front (429, 413, 503, an unreadable request), of the load shedding (503
// overloaded), of the bearer token check (401) and of the body reader (400, 413, 415), and the 422 every
// body and query can get. An operation lists what it adds; the rest is added here, in one place.
import { z } from 'zod';
import type { SchemaComponents } from './openapi-components.js';
import { BEFORE_THE_API, TOKEN } from './openapi-security.js';

type Json = Record<string, unknown>;

export const errorAnswer = z.object({
  error: z.string().describe('a stable code, e.g. validation_failed'),
  message: z.string(),
  details: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .describe('each wrong field: its path (e.g. headers.X-Y, "(body)" for the body itself) and why'),
  dependency: z.string().optional().describe('with service_unavailable and queue_full: broker, database or webserver'),
});

/** The 410 of a per-id route whose timer or task retention may have removed (webserver/http/expired-ids.ts). */
export const expiredReason = (what: string) =>
  `expired: no such ${what}, and its id (a UUIDv7) was issued before what retention may have removed: it finished and was removed after its retention (docs/api.md, Retention)`;

export const headers = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate': { description: 'Bearer realm="timer-service", with error="invalid_token" and error_description when a token was sent', schema: { type: 'string' } },
  Location: { description: 'where the new resource is read', schema: { type: 'string' } },
};
const header = (name: keyof typeof headers) => ({ $ref: `#/components/headers/${name}` });

/** The helpers every part of the description writes its paths with. */
export function describer(components: SchemaComponents) {
  const errorRef = () => components.ref('Error', errorAnswer);
  return {
    schema: (type: z.ZodType, io: 'input' | 'output' = 'output') => components.schema(type, io),
    ref: (name: string, type: z.ZodType) => components.ref(name, type),
    /** A required JSON request body validated by `type`. */
    body: (type: z.ZodType) => ({ required: true, content: { 'application/json': { schema: components.schema(type, 'input') } } }),
    /** The query parameters a zod object validates, each optional unless the schema requires it. */
    query: (type: z.ZodObject) => {
      const { properties, required = [] } = components.schema(type, 'input') as { properties: Record<string, Json>; required?: string[] };
      return Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
    },
    json: (type: z.ZodType, description: string, named?: string, headerNames: Array<keyof typeof headers> = []) => ({
      description,
      ...(headerNames.length ? { headers: Object.fromEntries(headerNames.map((name) => [name, header(name)])) } : {}),
      content: { 'application/json': { schema: named ? components.ref(named, type) : components.schema(type) } },
    }),
    error: (description: string, headerNames: Array<keyof typeof headers> = []) => ({
      description,
      ...(headerNames.length ? { headers: Object.fromEntries(headerNames.map((name) => [name, header(name)])) } : {}),
      content: { 'application/json': { schema: errorRef() } },
    }),
    /** An error answer with fields of its own besides error and message (e.g. the state of a conflict). */
    errorWith: (name: string, extra: z.ZodRawShape, description: string) => ({
      description,
      content: { 'application/json': { schema: components.ref(name, errorAnswer.extend(extra)) } },
    }),
  };
}
export type Describe = ReturnType<typeof describer>;

const NUL_AND_RANGES = 'Any string of the body or query holding a NUL character or an unpaired surrogate, and any instant out of range, is refused the same way, naming the field.';

type Response = { description: string; headers?: Json; content?: Record<string, { schema?: unknown }> };
type Operation = { security?: unknown; parameters?: Array<{ in: string; schema?: { format?: string } }>; requestBody?: unknown; responses: Record<string, Response> };

/** Adds a common answer to an operation: a new status, or a second reason (and schema) for one it already lists. */
function add(operation: Operation, status: number, common: Response): void {
  const own = operation.responses[status];
  if (!own) {
    operation.responses[status] = common;
    return;
  }
  const content = { ...own.content };
  for (const [type, media] of Object.entries(common.content ?? {})) {
    const mine = content[type];
    content[type] = !mine || JSON.stringify(mine.schema) === JSON.stringify(media.schema) ? media : { schema: { anyOf: [mine.schema, media.schema] } };
  }
  operation.responses[status] = {
    description: `${own.description}; ${common.description}`,
    ...(own.headers || common.headers ? { headers: { ...own.headers, ...common.headers } } : {}),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

/**
 * Adds to every operation the answers it can meet besides its own, from what it takes: path parameters
 * (400 invalid_id for an id, 400 bad_request for any), a body (400, 413, 415, 422), query parameters (422), a token (401); then sorts
 * each operation's answers by status.
 */
export function withCommonAnswers<T extends Record<string, Record<string, Json>>>(paths: T, describe: Describe): T {
  const { error } = describe;
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations) as Operation[]) {
      const early = BEFORE_THE_API.has(path);
      const params = operation.parameters ?? [];
      const pathParams = params.some((p) => p.in === 'path');
      const idParams = params.some((p) => p.in === 'path' && p.schema?.format === 'uuid');
      const query = params.some((p) => p.in === 'query');
      const body = operation.requestBody !== undefined;

      if (idParams) add(operation, 400, error('invalid_id: a path id is not a UUID; bad_request: the path is not valid percent-encoding'));
      else if (pathParams) add(operation, 400, error('bad_request: the path is not valid percent-encoding'));
      if (body) {
        add(
          operation,
          400,
          error('the body cannot be read: malformed_json (not JSON), bad_content_length (shorter or longer than its Content-Length), request_aborted, bad_request (e.g. a corrupt gzip encoding)'),
        );
        add(operation, 413, error('body_too_large: the body is over the limit (BODY_LIMIT_BYTES; nginx allows 64 KiB, 4 MiB for POST /timers)'));
        add(operation, 415, error('unsupported_encoding: a Content-Encoding other than identity, gzip, deflate or br; unsupported_charset: a charset other than utf-8'));
      }
      if (body || query) {
        const own = operation.responses[422];
        if (own) own.description = `${own.description}. ${NUL_AND_RANGES}`;
        else add(operation, 422, error(`validation_failed: a field of the ${body ? 'body' : 'query'} is wrong; details names each. ${NUL_AND_RANGES}`));
      }
      if (!early) {
        const BAD_TOKEN = 'invalid_token: a bad bearer token was sent (malformed, expired, wrongly signed, alg none, another algorithm, a deleted user)';
        const reason =
          operation.security === TOKEN
            ? `unauthorized: no bearer token was sent; ${BAD_TOKEN}`
            : Array.isArray(operation.security) && operation.security.length === 0
              ? BAD_TOKEN
              : `${BAD_TOKEN}; unauthorized: with AUTH_REQUIRED, none was sent`;
        if (!operation.responses[401]) add(operation, 401, error(reason, ['WWW-Authenticate']));
      }
      // nginx answers these itself, before any webserver sees the request.
      add(operation, 400, error("bad_request: the request could not be parsed as HTTP; headers_too_large: its headers are over nginx's limit (nginx, or the webserver itself)"));
      add(operation, 408, error('request_timeout: the headers or the body did not arrive within their deadline (nginx, or HTTP_HEADERS_TIMEOUT_MS / HTTP_BODY_TIMEOUT_MS of the webserver)'));
      add(operation, 414, error("uri_too_long: the request URI is over nginx's limit (nginx)"));
      add(operation, 429, error('too_many_requests: past the request rate or connection count allowed to a client address (nginx)', ['Retry-After']));
      add(
        operation,
        503,
        error(
          early
            ? 'service_unavailable (dependency webserver): no webserver is available (nginx)'
            : 'overloaded: this webserver is at capacity (WEBSERVER_MAX_IN_FLIGHT); service_unavailable: a dependency is unreachable (dependency: database or broker; webserver when nginx has none available)',
          ['Retry-After'],
        ),
      );
      operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => Number(a) - Number(b)));
    }
  }
  return paths;
}
