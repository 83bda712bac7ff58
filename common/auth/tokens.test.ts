import { createHmac } from 'node:crypto';
import { InvalidTokenError, issueToken, verifyToken, verifyTokenClaims, type TokenSettings } from './tokens.js';

const settings: TokenSettings = { secret: 'a'.repeat(32) + ' test secret', algorithm: 'HS256', expiresInMin: 60 };
const userId = '0190a8a4-0000-7000-8000-000000000001';
const now = Date.UTC(2030, 0, 1);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token signed by hand, so that headers jose would never write (alg none, ...) can be tried. */
function handMade(header: Record<string, unknown>, payload: Record<string, unknown>, secret = settings.secret, hmac = 'sha256'): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const signature = header.alg === 'none' ? '' : createHmac(hmac, secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
const claims = (over: Record<string, unknown> = {}) => ({ sub: userId, iss: 'timer-service', iat: now / 1000, exp: now / 1000 + 600, ...over });

async function rejected(token: string, s: Pick<TokenSettings, 'secret' | 'algorithm'> = settings): Promise<string> {
  try {
    await verifyToken(s, token, now);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenError);
    return (err as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('access tokens', () => {
  test('an issued token verifies to its user and says how long it lasts', async () => {
    const issued = await issueToken(settings, userId, now);
    expect(issued).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(await verifyToken(settings, issued.access_token, now)).toBe(userId);
    const header = JSON.parse(Buffer.from(issued.access_token.split('.')[0]!, 'base64url').toString()) as { alg: string };
    expect(header.alg).toBe('HS256');
  });

  test('HS384 and HS512 work when configured', async () => {
    for (const algorithm of ['HS384', 'HS512'] as const) {
      const s = { ...settings, algorithm };
      expect(await verifyToken(s, (await issueToken(s, userId, now)).access_token, now)).toBe(userId);
    }
  });

  test('an expired token is refused', async () => {
    const issued = await issueToken(settings, userId, now);
    await expect(verifyToken(settings, issued.access_token, now + 61 * 60_000)).rejects.toThrow(new InvalidTokenError('the token has expired'));
    await rejected(handMade({ alg: 'HS256', typ: 'JWT' }, claims({ exp: now / 1000 - 1 })));
  });

  test('a forged token (payload changed, signature kept) is refused', async () => {
    const [h, , s] = (await issueToken(settings, userId, now)).access_token.split('.');
    const forged = `${h}.${b64(claims({ sub: '0190a8a4-0000-7000-8000-000000000002' }))}.${s}`;
    await rejected(forged);
  });

  test('a token signed with another secret is refused', async () => {
    const other = await issueToken({ ...settings, secret: 'b'.repeat(40) }, userId, now);
    await rejected(other.access_token);
    await rejected(handMade({ alg: 'HS256', typ: 'JWT' }, claims(), 'wrong secret wrong secret wrong secret'));
  });

  test('alg none is refused, with or without a signature', async () => {
    await rejected(handMade({ alg: 'none', typ: 'JWT' }, claims()));
    await rejected(`${b64({ alg: 'none' })}.${b64(claims())}.`);
    await rejected(`${b64({ alg: 'none' })}.${b64(claims())}`);
  });

  test('algorithm confusion: an HS256 token is refused where HS512 is configured, and the reverse', async () => {
    const hs256 = await issueToken(settings, userId, now);
    await rejected(hs256.access_token, { ...settings, algorithm: 'HS512' });
    const hs512 = await issueToken({ ...settings, algorithm: 'HS512' }, userId, now);
    await rejected(hs512.access_token, settings);
    // RS256 in the header, HMAC-signed with the secret: the classic public-key-as-HMAC-key confusion.
    await rejected(handMade({ alg: 'RS256', typ: 'JWT' }, claims()));
  });

  test('truncated and malformed tokens are refused', async () => {
    const token = (await issueToken(settings, userId, now)).access_token;
    await rejected(token.slice(0, -1));
    await rejected(token.slice(0, token.lastIndexOf('.')));
    await rejected(token.split('.')[0]!);
    await rejected('');
    await rejected('not.a.token');
    await rejected('a.b.c.d.e');
  });

  test('a token without a subject or with another issuer is refused', async () => {
    await rejected(handMade({ alg: 'HS256' }, claims({ sub: undefined })));
    await rejected(handMade({ alg: 'HS256' }, claims({ iss: 'someone-else' })));
    await rejected(handMade({ alg: 'HS256' }, claims({ exp: undefined })));
  });

  test('a token carries the token generation it was issued in; one without the claim is generation 0; a bad one is refused', async () => {
    expect(await verifyTokenClaims(settings, (await issueToken(settings, userId, now, 7)).access_token, now)).toEqual({ userId, generation: 7 });
    expect(await verifyTokenClaims(settings, handMade({ alg: 'HS256' }, claims()), now)).toEqual({ userId, generation: 0 });
    for (const gen of [-1, 1.5, '3', null, 2 ** 60]) await rejected(handMade({ alg: 'HS256' }, claims({ gen })));
  });
});
