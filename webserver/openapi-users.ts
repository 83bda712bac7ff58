// The OpenAPI description of users and tokens (issue 7), merged into webserver/openapi.ts: the paths,
// the bearer security scheme, and which operations need a token. The answer schemas are the ones the
// tests check the handlers' answers against.
import { z } from 'zod';
import { listUsersQuery, registerRequest, updateUserRequest } from '../common/user-request.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const userAnswer = z.object({
  id: z.uuid().describe('the user id (UUIDv7)'),
  email: z.string().describe('trimmed and lower-cased'),
  name: z.string().nullable(),
  role: z.enum(['user', 'admin']).describe('admin: from ADMIN_EMAILS at registration'),
  created_at: isoTime,
  registration_mail_sent_at: isoTime.nullable().describe('when the registration mail went out; null until then'),
});
export const userListAnswer = z.object({ users: z.array(userAnswer).describe('in registration order'), next_cursor: z.uuid().nullable() });
export const tokenAnswer = z.object({
  access_token: z.string().describe('a JWT; send it as Authorization: Bearer <access_token>'),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().min(1).describe('seconds (DEFAULT_EXP_DELTA_MIN * 60)'),
});
export const tooManyAttemptsAnswer = z.object({
  error: z.literal('too_many_attempts'),
  message: z.string(),
  retry_after_s: z.number().int().min(1).describe('the same as Retry-After'),
});
const tokenForm = z.object({
  grant_type: z.literal('password').optional(),
  username: z.string().describe('the email'),
  password: z.string(),
});
const tokenJson = z.object({ email: z.string().optional(), username: z.string().optional().describe('the email'), password: z.string() });

type Helpers = {
  schema: (type: z.ZodType, io?: 'input' | 'output') => Record<string, unknown>;
  json: (type: z.ZodType, description: string) => unknown;
  error: (description: string) => unknown;
};

export const securitySchemes = { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a token from POST /token' } };
/** Operations that always need a token. */
export const TOKEN = [{ bearer: [] }];
/** Operations open to anonymous clients unless AUTH_REQUIRED (what a token changes: ownership). */
export const TOKEN_OPTIONAL = [{}, { bearer: [] }];
const OPEN: never[] = [];

export function userPaths({ schema, json, error }: Helpers) {
  const body = (type: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(type, 'input') } } });
  const unauthorized = error(
    'no token, or a bad one (malformed, expired, wrongly signed, alg none, another algorithm: invalid_token), or one revoked by a password change or a logout everywhere (token_revoked): WWW-Authenticate: Bearer',
  );
  const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const notFound = error('no such user, or another user (only an admin reaches other users)');
  const retryAfter = { 'Retry-After': { description: 'seconds to wait before the next attempt', schema: { type: 'integer', minimum: 1 } } };
  const hashingBusy = {
    ...(error('overloaded: this webserver already hashes PASSWORD_HASH_CONCURRENCY passwords and PASSWORD_HASH_QUEUE more wait; or the database is unavailable (service_unavailable)') as object),
    headers: retryAfter,
  };
  return {
    '/users': {
      post: {
        summary: 'Register: 201 with the user; the registration mail goes out through a send_registration_email task',
        security: OPEN,
        requestBody: body(registerRequest),
        responses: { 201: json(userAnswer, 'the user (never the password)'), 409: error('the email is taken'), 415: error('not JSON'), 422: error('a bad field; details names each'), 503: { ...(error('the broker or the database is unavailable, or the password hashing slots are full (overloaded)') as object), headers: retryAfter } },
      },
      get: {
        summary: 'List users by a cursor (admin)',
        security: TOKEN,
        parameters: Object.entries((schema(listUsersQuery, 'input') as { properties: Record<string, unknown> }).properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })),
        responses: { 200: json(userListAnswer, 'one page'), 401: unauthorized, 403: error('not an admin'), 422: error('a bad cursor or limit') },
      },
    },
    '/users/me': { get: { summary: 'The user of the token', security: TOKEN, responses: { 200: json(userAnswer, 'the user'), 401: unauthorized } } },
    '/users/me/logout-all': {
      post: {
        summary: 'Log out everywhere: revoke every token of the user issued so far, this one included',
        description: 'Every webserver refuses the earlier tokens at once (401 token_revoked); a token from a later POST /token works.',
        security: TOKEN,
        responses: { 204: { description: 'revoked' }, 401: unauthorized },
      },
    },
    '/users/{id}': {
      get: { summary: 'A user (itself, or any for an admin)', security: TOKEN, parameters: [idParameter], responses: { 200: json(userAnswer, 'the user'), 400: error('the id is not a UUID'), 401: unauthorized, 404: notFound } },
      patch: {
        summary: 'Change the name or the password',
        security: TOKEN,
        parameters: [idParameter],
        requestBody: body(updateUserRequest),
        description: 'A new password revokes every token of the user issued before it (also the one of this request): they get 401 token_revoked; log in again.',
        responses: { 200: json(userAnswer, 'the user'), 401: unauthorized, 404: notFound, 422: error('a bad field'), 503: hashingBusy },
      },
      delete: {
        summary: "Delete a user; its tokens stop working, its timers and tasks stay (admins see them)",
        security: TOKEN,
        parameters: [idParameter],
        responses: { 204: { description: 'deleted' }, 401: unauthorized, 404: notFound },
      },
    },
    '/token': {
      post: {
        summary: 'Log in: the OAuth2 password form (username = email) or JSON',
        security: OPEN,
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: schema(tokenForm, 'input') }, 'application/json': { schema: schema(tokenJson, 'input') } },
        },
        description:
          'Failed logins are counted per email and per client address (shared by every webserver). Past LOGIN_ACCOUNT_FREE_FAILURES for the email or LOGIN_ADDRESS_FREE_FAILURES for the address, the next attempt waits a delay that doubles with each failure (from LOGIN_BACKOFF_BASE_MS up to LOGIN_ACCOUNT_MAX_DELAY_S, LOGIN_ADDRESS_MAX_DELAY_S); an attempt within it gets 429, whatever the password, and is not counted. The owner\'s successful login clears the email\'s count.',
        responses: {
          200: json(tokenAnswer, 'the token'),
          401: error('incorrect email or password (the same answer for both)'),
          415: error('neither a form nor JSON'),
          422: error('a missing field'),
          429: { ...(json(tooManyAttemptsAnswer, 'too many failed logins for this email or from this address: retry after Retry-After seconds') as object), headers: retryAfter },
          503: hashingBusy,
        },
      },
    },
  };
}

/** Marks every operation with its security: the parse routes of seed 000 need a token, the rest take one. */
export function withSecurity<T extends Record<string, Record<string, Record<string, unknown>>>>(paths: T): T {
  const needToken = new Set(['/parse', '/parser_results/{task_id}', '/async_parser']);
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations)) {
      operation.security ??= path === '/health' || path === '/ready' ? OPEN : needToken.has(path) ? TOKEN : TOKEN_OPTIONAL;
    }
  }
  return paths;
}
