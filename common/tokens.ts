// Access tokens: JWTs signed with an HMAC key (JWT_SECRET_KEY), with the algorithm of JWT_ALGORITHM
// (an allow-list: HS256, HS384, HS512) and a lifetime of DEFAULT_EXP_DELTA_MIN minutes. Verification
// accepts the configured algorithm only, so `alg: none` and algorithm confusion (a token signed with
// another algorithm, or with a public key as an HMAC key) are refused, as are expired, forged and
// truncated tokens. The subject is the user id.
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

export async function issueToken(settings: TokenSettings, userId: string, now = Date.now()): Promise<IssuedToken> {
  const iat = Math.floor(now / 1000);
  const expiresIn = settings.expiresInMin * 60;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: settings.algorithm, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .sign(key(settings.secret));
  return { access_token: token, token_type: 'bearer', expires_in: expiresIn };
}

/** verifyToken(settings, token): the user id it was issued to; throws InvalidTokenError for any bad token. */
export async function verifyToken(settings: Pick<TokenSettings, 'secret' | 'algorithm'>, token: string, now = Date.now()): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, key(settings.secret), {
      algorithms: [settings.algorithm],
      issuer: TOKEN_ISSUER,
      requiredClaims: ['sub', 'exp'],
      currentDate: new Date(now),
    });
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('the token has no subject');
    return payload.sub;
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof errors.JWTExpired) throw new InvalidTokenError('the token has expired');
    if (err instanceof errors.JOSEError || err instanceof TypeError) throw new InvalidTokenError('the token is not valid');
    throw err;
  }
}
