// Access tokens: JWTs signed with an HMAC key (JWT_SECRET_KEY), with the algorithm of JWT_ALGORITHM
// (an allow-list: HS256, HS384, HS512) and a lifetime of DEFAULT_EXP_DELTA_MIN minutes. Verification
// accepts the configured algorithm only, so `alg: none` and algorithm confusion (a token signed with
// another algorithm, or with a public key as an HMAC key) are refused, as are expired, forged and
// truncated tokens. The subject is the user id; the claim `gen` is the generation of the user's tokens
// it belongs to (users.token_generation when it was issued): a password change or a logout everywhere
// starts the next generation, and the webserver refuses a token of an earlier one. A token without
// `gen` (issued before generations existed) belongs to generation 0.
import { SignJWT, jwtVerify, errors } from 'jose';

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface TokenSettings {
  secret: string;
  algorithm: JwtAlgorithm;
  /** token lifetime in minutes */
  expiresInMin: number;
}

export const TOKEN_ISSUER = 'timer-service';

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const key = (secret: string) => new TextEncoder().encode(secret);

export interface IssuedToken {
  access_token: string;
  token_type: 'bearer';
  /** seconds */
  expires_in: number;
}

/** issueToken(settings, userId, now, generation): a token of the user's current token generation. */
export async function issueToken(settings: TokenSettings, userId: string, now = Date.now(), generation = 0): Promise<IssuedToken> {
  const iat = Math.floor(now / 1000);
  const expiresIn = settings.expiresInMin * 60;
  const token = await new SignJWT({ gen: generation })
    .setProtectedHeader({ alg: settings.algorithm, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .sign(key(settings.secret));
  return { access_token: token, token_type: 'bearer', expires_in: expiresIn };
}

/** What a valid token says: whose it is and the generation of that user's tokens it belongs to. */
export interface TokenClaims {
  userId: string;
  generation: number;
}

/** verifyToken(settings, token): the user id it was issued to; throws InvalidTokenError for any bad token. */
export async function verifyToken(settings: Pick<TokenSettings, 'secret' | 'algorithm'>, token: string, now = Date.now()): Promise<string> {
  return (await verifyTokenClaims(settings, token, now)).userId;
}

/** verifyTokenClaims(settings, token): its user id and token generation; throws InvalidTokenError for any bad token. */
export async function verifyTokenClaims(settings: Pick<TokenSettings, 'secret' | 'algorithm'>, token: string, now = Date.now()): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, key(settings.secret), {
      algorithms: [settings.algorithm],
      issuer: TOKEN_ISSUER,
      requiredClaims: ['sub', 'exp'],
      currentDate: new Date(now),
    });
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('the token has no subject');
    const generation = payload.gen === undefined ? 0 : payload.gen;
    if (!Number.isSafeInteger(generation) || (generation as number) < 0) throw new InvalidTokenError('the token is not valid');
    return { userId: payload.sub, generation: generation as number };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof errors.JWTExpired) throw new InvalidTokenError('the token has expired');
    if (err instanceof errors.JOSEError || err instanceof TypeError) throw new InvalidTokenError('the token is not valid');
    throw err;
  }
}
