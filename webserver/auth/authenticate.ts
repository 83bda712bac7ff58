// Who is asking: a bearer token (POST /token) names a user, read from the users table on each request
// (a deleted user's token stops working at once); the lookups of requests arriving together go to the
// database as one query (group commit, common/batch/batcher.ts), not one round trip per request. A missing token makes the request anonymous, unless
// AUTH_REQUIRED; any bad token (malformed, expired, wrongly signed, alg none, another algorithm,
// truncated, a deleted user) is a 401 with WWW-Authenticate: Bearer, never a 500. A token of an earlier
// generation than the user's (issued before a password change or a logout everywhere) is a 401
// token_revoked: the generation is read with the user, so a revocation holds on every replica at once.
//
// What a viewer sees of timers and tasks: an admin everything, a user its own, an anonymous client
// only what was created without a token.
import type { RequestHandler, Response } from 'express';
import type { Pool } from '../../common/db/pool.js';
import { findUsers, type Role, type UserRow } from '../../common/store/users.js';
import { Batcher } from '../../common/batch/batcher.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import { InvalidTokenError, verifyTokenClaims, type TokenClaims, type TokenSettings } from '../../common/auth/tokens.js';
import type { OwnerScope } from '../../common/store/owner-scope.js';

export interface AuthDeps {
  mainDb: Pool;
  tokens: TokenSettings;
  /** AUTH_REQUIRED: every API route needs a token */
  required: boolean;
  /** ADMIN_EMAILS, normalised */
  adminEmails: readonly string[];
}

export interface Viewer {
  id: string;
  email: string;
  role: Role;
}

const REALM = 'Bearer realm="timer-service"';
const USER_LOOKUP_BATCH_MAX = 500;
const USER_LOOKUPS_IN_FLIGHT = 2;

/** The authenticated user of a request, or null when anonymous. */
export function viewerOf(res: Response): Viewer | null {
  return (res.locals.viewer as Viewer | undefined) ?? null;
}

/**
 * 401 with WWW-Authenticate. A bad token's challenge says error="invalid_token" (RFC 6750, revoked
 * included); the body's code may be more precise (`token_revoked`).
 */
export function unauthorized(res: Response, tokenGiven: boolean, message: string, code = tokenGiven ? 'invalid_token' : 'unauthorized'): void {
  res
    .status(401)
    .set('WWW-Authenticate', tokenGiven ? `${REALM}, error="invalid_token", error_description="${message}"` : REALM)
    .json({ error: code, message });
}

/** Reads the Authorization header of every request that passes (routes after it see viewerOf(res)). */
export function authenticate(deps: AuthDeps | undefined, open: (method: string, path: string) => boolean): RequestHandler {
  const users = deps ? new Batcher<string, UserRow | null>((ids) => findUsers(deps.mainDb, ids), USER_LOOKUP_BATCH_MAX, USER_LOOKUPS_IN_FLIGHT) : null;
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined || header.trim() === '') {
      if (deps?.required && !open(req.method, req.path)) return unauthorized(res, false, 'this route needs a bearer token (POST /token)');
      return next();
    }
    if (!deps) return next();
    const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i.exec(header);
    if (!match) return unauthorized(res, true, 'the Authorization header must be: Bearer <token>');
    let claims: TokenClaims;
    try {
      claims = await verifyTokenClaims(deps.tokens, match[1]!);
    } catch (err) {
      if (err instanceof InvalidTokenError) return unauthorized(res, true, err.message);
      return next(err);
    }
    try {
      // Strictly a UUID (as every id route checks it): a subject PostgreSQL cannot cast would fail the whole batch of lookups.
      const user = users && isTimerId(claims.userId) ? await users.add(claims.userId) : null;
      if (!user) return unauthorized(res, true, 'the token names no user');
      if (claims.generation < user.token_generation) {
        return unauthorized(res, true, 'the token was revoked (a password change or a logout everywhere); log in again', 'token_revoked');
      }
      res.locals.viewer = { id: user.id, email: user.email, role: user.role } satisfies Viewer;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** For the routes that always need a token (the /users routes, the parse routes). */
export const requireViewer: RequestHandler = (req, res, next) => {
  if (viewerOf(res)) return next();
  unauthorized(res, false, 'this route needs a bearer token (POST /token)');
};

/** Whose timers and tasks a viewer sees: all (admin), its own, or the ownerless ones (anonymous). */
export function ownerScope(viewer: Viewer | null): OwnerScope {
  if (viewer?.role === 'admin') return { all: true };
  return { all: false, owner: viewer?.id ?? null };
}

export function canSee(scope: OwnerScope, ownerId: string | null | undefined): boolean {
  return scope.all || (ownerId ?? null) === scope.owner;
}
