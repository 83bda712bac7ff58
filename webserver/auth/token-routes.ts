// POST /token: the OAuth2 password grant as FastAPI apps take it (a form with username = the email, and
// password) or JSON {email | username, password}; answers {access_token, token_type: "bearer",
// expires_in}. An unknown email and a wrong password get the same 401, after the same scrypt work, so
// the answer does not tell which emails are registered. Failed logins are throttled per email and per
// client address (login-throttle.ts): a throttled attempt gets 429 too_many_attempts with Retry-After
// before any hashing. The hashing itself runs in the webserver's bounded password slots.
import { Router, type Response } from 'express';
import { formBody, jsonBody } from '../http/storable-input.js';
import type { Pool } from '../../common/db/pool.js';
import { fieldErrors } from '../http/field-errors.js';
import { findCredentials } from '../../common/store/users.js';
import { verifyNothing, verifyPassword } from './passwords.js';
import { issueToken, type TokenSettings } from '../../common/auth/tokens.js';
import { tokenRequest } from '../users/user-request.js';
import { sendFieldErrors } from '../http/http-errors.js';
import { throttleKey } from './client-address.js';
import { retryAfterSeconds } from './login-backoff.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordSlots } from './password-slots.js';

export interface TokenRouteDeps {
  mainDb: Pool;
  tokens: TokenSettings;
  bodyLimitBytes: number;
  throttle: LoginThrottle;
  passwordSlots: PasswordSlots;
}

function tooManyAttempts(res: Response, waitMs: number): void {
  const seconds = retryAfterSeconds(waitMs);
  res
    .status(429)
    .set('Retry-After', String(seconds))
    .set('Cache-Control', 'no-store')
    .json({ error: 'too_many_attempts', message: `too many failed logins for this email or from this address; retry in ${seconds} s`, retry_after_s: seconds });
}

export function tokenRoutes(deps: TokenRouteDeps): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });
  const parseForm = formBody({ limit: deps.bodyLimitBytes, extended: false });

  router.post('/token', parseJson, parseForm, async (req, res) => {
    if (!req.is('application/json') && !req.is('application/x-www-form-urlencoded')) {
      return void res.status(415).json({ error: 'unsupported_media_type', message: 'send a form (application/x-www-form-urlencoded) or JSON' });
    }
    const body = tokenRequest.safeParse(req.body ?? {});
    if (!body.success) return sendFieldErrors(res, 'the token request is not valid', fieldErrors(body.error));
    const { email, password } = body.data;
    const subjects = { account: email, address: throttleKey(req.ip) };
    const check = await deps.throttle.check(subjects);
    if (!check.allowed) return tooManyAttempts(res, check.waitMs);
    const user = await findCredentials(deps.mainDb, email);
    const ok = await deps.passwordSlots.run(() => (user ? verifyPassword(password, user.password_hash) : verifyNothing(password)));
    if (!user || !ok) {
      await deps.throttle.failed(subjects);
      return void res.status(401).set('WWW-Authenticate', 'Bearer realm="timer-service"').json({ error: 'invalid_credentials', message: 'incorrect email or password' });
    }
    await deps.throttle.succeeded(subjects, check);
    res.set('Cache-Control', 'no-store').json(await issueToken(deps.tokens, user.id, Date.now(), user.token_generation));
  });

  return router;
}
