// The OpenAPI description of users and tokens, merged into webserver/openapi/openapi.ts. The answer
// schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { listUsersQuery, registerRequest, updateUserRequest } from '../users/user-request.js';
import { OPEN, TOKEN } from './openapi-security.js';
import type { Describe } from './openapi-answers.js';

export { securitySchemes, withSecurity, TOKEN, TOKEN_OPTIONAL } from './openapi-security.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const userAnswer = z.object({
  id: z.uuid().describe('the user id (UUIDv7)'),
  email: z.email().describe('trimmed and lower-cased'),
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
  password: z.string().min(1),
  scope: z.string().optional().describe('ignored'),
});
const tokenJson = z.object({ email: z.string().optional(), username: z.string().optional().describe('the email'), password: z.string().min(1) });

type Json = Record<string, unknown>;

/** The email as the routes check it: trimmed and lower-cased first, then an address (z.pipe, which the JSON schema loses). */
function withEmailFormat(schema: Json): Json {
  const properties = schema.properties as Record<string, Json>;
  return {
    ...schema,
    properties: {
      ...properties,
      email: { ...properties.email, format: 'email', description: 'an email address (surrounding spaces are trimmed and it is lower-cased before it is checked and stored)' },
    },
  };
}

export function userPaths({ schema, query, json, error }: Describe) {
  const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const notFound = error('no such user, or another user (only an admin reaches other users)');
  const update = schema(updateUserRequest, 'input');
  const hashingBusy = error('overloaded: this webserver already hashes PASSWORD_HASH_CONCURRENCY passwords and PASSWORD_HASH_QUEUE more wait; or service_unavailable: the broker or the database', [
    'Retry-After',
  ]);
  return {
    '/users': {
      post: {
        summary: 'Register: 201 with the user; the registration mail goes out through a send_registration_email task',
        security: OPEN,
        requestBody: { required: true, content: { 'application/json': { schema: withEmailFormat(schema(registerRequest, 'input')) } } },
        responses: {
          201: json(userAnswer, 'the user (never the password)', 'User', ['Location']),
          409: error('email_taken: a user with this email exists'),
          415: error('unsupported_media_type: the body is not sent as application/json'),
          422: error('validation_failed: a bad field; details names each'),
          503: hashingBusy,
        },
      },
      get: {
        summary: 'List users by a cursor (admin)',
        security: TOKEN,
        parameters: query(listUsersQuery),
        responses: { 200: json(userListAnswer, 'one page'), 403: error('forbidden: not an admin'), 422: error('validation_failed: a bad cursor or limit') },
      },
    },
    '/users/me': { get: { summary: 'The user of the token', security: TOKEN, responses: { 200: json(userAnswer, 'the user', 'User'), 404: error('the user was deleted meanwhile') } } },
    '/users/me/logout-all': {
      post: {
        summary: 'Log out everywhere: revoke every token of the user issued so far, this one included',
        description: 'Every webserver refuses the earlier tokens at once (401 token_revoked); a token from a later POST /token works.',
        security: TOKEN,
        responses: { 204: { description: 'revoked' } },
      },
    },
    '/users/{id}': {
      get: { summary: 'A user (itself, or any for an admin)', security: TOKEN, parameters: [idParameter], responses: { 200: json(userAnswer, 'the user', 'User'), 404: notFound } },
      patch: {
        summary: 'Change the name or the password',
        security: TOKEN,
        parameters: [idParameter],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { ...update, anyOf: [{ required: ['name'] }, { required: ['password'] }], description: 'give name (null clears it), password, or both' } } },
        },
        description: 'A new password revokes every token of the user issued before it (also the one of this request): they get 401 token_revoked; log in again.',
        responses: {
          200: json(userAnswer, 'the user', 'User'),
          404: notFound,
          415: error('unsupported_media_type: the body is not sent as application/json'),
          422: error('validation_failed: a bad field, or neither name nor password'),
          503: hashingBusy,
        },
      },
      delete: {
        summary: 'Delete a user; its tokens stop working, its timers and tasks stay (admins see them)',
        security: TOKEN,
        parameters: [idParameter],
        responses: { 204: { description: 'deleted' }, 404: notFound },
      },
    },
    '/token': {
      post: {
        summary: 'Log in: the OAuth2 password form (username = email) or JSON',
        security: OPEN,
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': { schema: schema(tokenForm, 'input') },
            'application/json': { schema: { ...schema(tokenJson, 'input'), anyOf: [{ required: ['email'] }, { required: ['username'] }], description: 'email, or username (the email)' } },
          },
        },
        responses: {
          200: json(tokenAnswer, 'the token (Cache-Control: no-store)'),
          401: error('invalid_credentials: incorrect email or password (the same answer for both)', ['WWW-Authenticate']),
          415: error('unsupported_media_type: neither a form nor JSON'),
          422: error('validation_failed: a missing field (password, and username or email)'),
          429: json(tooManyAttemptsAnswer, 'too_many_attempts: too many failed logins for this email or from this address; wait Retry-After seconds', 'TooManyAttempts', ['Retry-After']),
          503: hashingBusy,
        },
        description:
          "Failed logins are counted per email and per client address (shared by every webserver). Past LOGIN_ACCOUNT_FREE_FAILURES for the email or LOGIN_ADDRESS_FREE_FAILURES for the address, the next attempt waits a delay that doubles with each failure (from LOGIN_BACKOFF_BASE_MS up to LOGIN_ACCOUNT_MAX_DELAY_S, LOGIN_ADDRESS_MAX_DELAY_S); an attempt within it gets 429, whatever the password, and is not counted. The owner's successful login clears the email's count.",
      },
    },
  };
}
