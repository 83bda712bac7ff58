// The bodies of the users and token API, validated with zod: every bad field gets a 422
// naming it. Emails are trimmed and lower-cased before they are validated and stored.
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';

export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 200;

export const email = z
  .string({ error: 'must be a string' })
  .trim()
  .toLowerCase()
  .max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`)
  .pipe(z.email({ error: 'must be an email address' }))
  .describe('an email address; stored trimmed and lower-cased');

export const password = z
  .string({ error: 'must be a string' })
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
  .describe(`${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);

// Names are stored verbatim (queries are parameterised; the API answers JSON), without control characters.
const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
  .describe('display name');

export const registerRequest = z.strictObject({ email, password, name: name.nullable().optional() });

export const updateUserRequest = z
  .strictObject({ name: name.nullable().optional(), password: password.optional() })
  .refine((body) => body.name !== undefined || body.password !== undefined, { message: 'give name or password', path: ['name'] });

/** POST /token: the OAuth2 password form (username is the email) or JSON with email or username. */
export const tokenRequest = z
  .object({
    grant_type: z.literal('password', { error: 'must be "password"' }).optional(),
    // No longer than a registered email can be: a longer one matches nobody, and is not stored as a throttle key.
    username: z.string().max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`).optional(),
    email: z.string().max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`).optional(),
    password: z.string({ error: 'is required' }).min(1, 'is required').max(MAX_PASSWORD_LENGTH),
    scope: z.string().optional(),
  })
  .transform((body, ctx) => {
    const given = body.email ?? body.username;
    if (given === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give username (the email) or email', path: ['username'] });
      return z.NEVER;
    }
    return { email: given.trim().toLowerCase(), password: body.password };
  });

export const listUsersQuery = z.strictObject({
  cursor: z.uuid().optional().describe('next_cursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
