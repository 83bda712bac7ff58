// Integration: revoking tokens. A password change and POST /users/me/logout-all start the user's next
// token generation; every token issued before is refused with 401 token_revoked on every replica at
// once (the two apps of test/helpers/user-api.ts share one database), and a token obtained right after
// works, whatever second either was issued in.
import { describe, expect, it, jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { issueToken } from '../../common/auth/tokens.js';
import { testTokens, useUserApi, type Answer } from '../../test/helpers/user-api.js';

jest.setTimeout(60_000);

const api = useUserApi();
const { call, login, userWithToken } = api;

function expectRevoked(res: Answer): void {
  expect(res.status).toBe(401);
  expect(res.body.error).toBe('token_revoked');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="timer-service", error="invalid_token"/);
}

describe('a password change revokes the tokens issued before it', () => {
  it('a token issued before a password change is refused, on every replica; one obtained right after works', async () => {
    const ivan = await userWithToken('ivan@example.com');
    const second = await login('ivan@example.com');
    const changed = await call(`/users/${ivan.id}`, { method: 'PATCH', token: ivan.token, body: { password: 'ivans-new-password' } });
    expect(changed.status).toBe(200);
    for (const token of [ivan.token, second]) {
      expectRevoked(await call('/users/me', { token }));
      expectRevoked(await call('/users/me', { token, base: api.strictBase }));
      // Also on the routes open to anonymous clients: a revoked token is not silently anonymous.
      expectRevoked(await call('/timers', { token }));
    }
    const fresh = await login('ivan@example.com', 'ivans-new-password');
    expect((await call('/users/me', { token: fresh })).body.id).toBe(ivan.id);
    expect((await call('/users/me', { token: fresh, base: api.strictBase })).status).toBe(200);
  });

  it('the same second does not blur the line: an old token is refused and a new one works whatever their iat', async () => {
    const judy = await userWithToken('judy@example.com');
    expect((await call(`/users/${judy.id}`, { method: 'PATCH', token: judy.token, body: { password: 'judys-new-password' } })).status).toBe(200);
    const fresh = await login('judy@example.com', 'judys-new-password');
    // Tokens of the earlier generation issued in the very second of the new one, and even later: refused.
    const iat = decodeJwt(fresh).iat! * 1000;
    for (const at of [iat, iat + 999, iat + 60_000]) expectRevoked(await call('/users/me', { token: (await issueToken(testTokens, judy.id, at, 0)).access_token }));
    // A token of the current generation issued in the second before the change (or the same one): accepted.
    for (const at of [iat - 1_000, iat]) expect((await call('/users/me', { token: (await issueToken(testTokens, judy.id, at, 1)).access_token })).status).toBe(200);
    expect((await call('/users/me', { token: fresh })).status).toBe(200);
  });

  it('a name change revokes nothing', async () => {
    const kate = await userWithToken('kate@example.com');
    expect((await call(`/users/${kate.id}`, { method: 'PATCH', token: kate.token, body: { name: 'Kate' } })).status).toBe(200);
    expect((await call('/users/me', { token: kate.token })).status).toBe(200);
  });

  it("an admin's password change of another user revokes that user's tokens, not the admin's", async () => {
    const lena = await userWithToken('lena@example.com');
    const admin = await userWithToken('admin@example.com');
    expect((await call(`/users/${lena.id}`, { method: 'PATCH', token: admin.token, body: { password: 'reset-by-admin' } })).status).toBe(200);
    expectRevoked(await call('/users/me', { token: lena.token }));
    expect((await call('/users/me', { token: admin.token })).status).toBe(200);
  });
});

describe('POST /users/me/logout-all', () => {
  it("logout-all revokes every earlier token, on every replica, and nobody else's; a new login works", async () => {
    const mike = await userWithToken('mike@example.com');
    const tokens = [mike.token, await login('mike@example.com'), await login('mike@example.com')];
    const nina = await userWithToken('nina@example.com');
    const out = await call('/users/me/logout-all', { method: 'POST', token: tokens[1] });
    expect(out.status).toBe(204);
    expect(out.body).toBeNull();
    for (const token of tokens) {
      expectRevoked(await call('/users/me', { token }));
      expectRevoked(await call('/users/me', { token, base: api.strictBase }));
    }
    // Logging out again with a revoked token is refused like any other request.
    expectRevoked(await call('/users/me/logout-all', { method: 'POST', token: tokens[0] }));
    expect((await call('/users/me', { token: nina.token })).status).toBe(200);
    const fresh = await login('mike@example.com');
    expect((await call('/users/me', { token: fresh })).body.id).toBe(mike.id);
  });

  it('needs a token: 401 with WWW-Authenticate without one', async () => {
    const res = await call('/users/me/logout-all', { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="timer-service"');
  });
});
