// POST /token (issue 7, seed 000): the OAuth2 password grant as FastAPI apps take it (a form with
// username = the email, and password) or JSON {email | username, password}; answers
// {access_token, token_type: "bearer", expires_in}. An unknown email and a wrong password get the
// same 401, after the same scrypt work, so the answer does not tell which emails are registered.
import { Router, json, urlencoded } from 'express';
import type { Pool } from '../common/db.js';
import { fieldErrors } from '../common/timer-request.js';
import { findCredentials } from '../common/user-store.js';
import { verifyNothing, verifyPassword } from '../common/passwords.js';
import { issueToken, type TokenSettings } from '../common/tokens.js';
import { tokenRequest } from '../common/user-request.js';
import { invalid } from './task-routes.js';

export function tokenRoutes(deps: { mainDb: Pool; tokens: TokenSettings; bodyLimitBytes: number }): Router {
  const router = Router();
  const parseJson = json({ limit: deps.bodyLimitBytes, strict: false });
  const parseForm = urlencoded({ limit: deps.bodyLimitBytes, extended: false });

  router.post('/token', parseJson, parseForm, async (req, res) => {
    if (!req.is('application/json') && !req.is('application/x-www-form-urlencoded')) {
      return void res.status(415).json({ error: 'unsupported_media_type', message: 'send a form (application/x-www-form-urlencoded) or JSON' });
    }
    const body = tokenRequest.safeParse(req.body ?? {});
    if (!body.success) return invalid(res, 'the token request is not valid', fieldErrors(body.error));
    const { email, password } = body.data;
    const user = await findCredentials(deps.mainDb, email);
    const ok = user ? await verifyPassword(password, user.password_hash) : await verifyNothing(password);
    if (!user || !ok) {
      return void res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="timer-service"')
        .json({ error: 'invalid_credentials', message: 'incorrect email or password' });
    }
    res.set('Cache-Control', 'no-store').json(await issueToken(deps.tokens, user.id, Date.now(), user.token_generation));
  });

  return router;
}
