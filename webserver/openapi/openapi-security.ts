// Which operations of the OpenAPI description need a bearer token (POST /token), which take one, and
// which are open: the security the description declares for each.
export const securitySchemes = { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a token from POST /token' } };
/** Operations that always need a token. */
export const TOKEN = [{ bearer: [] }];
/** Operations open to anonymous clients unless AUTH_REQUIRED (what a token changes: ownership). */
export const TOKEN_OPTIONAL = [{}, { bearer: [] }];
/** Operations open even with AUTH_REQUIRED: registering, logging in, health and the documentation. */
export const OPEN: never[] = [];

/** Answered before the load shedding and the token check (webserver/app.ts): no token is needed or read. */
export const BEFORE_THE_API = new Set(['/health', '/ready', '/openapi.json', '/metrics', '/docs', '/redoc', '/dashboard']);
// The parse routes need a token even without AUTH_REQUIRED.
const NEED_TOKEN = new Set(['/parse', '/parser_results/{task_id}', '/async_parser']);

/** Marks every operation that does not say otherwise with its security. */
export function withSecurity<T extends Record<string, Record<string, Record<string, unknown>>>>(paths: T): T {
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations)) {
      operation.security ??= BEFORE_THE_API.has(path) ? OPEN : NEED_TOKEN.has(path) ? TOKEN : TOKEN_OPTIONAL;
    }
  }
  return paths;
}
