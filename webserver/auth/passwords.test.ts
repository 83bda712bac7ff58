import { hashPassword, verifyNothing, verifyPassword } from './passwords.js';

describe('passwords (scrypt)', () => {
  test('a hash verifies its password and no other', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  test('two hashes of one password differ (random salt), both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  test('unicode passwords are normalised (NFC) before hashing', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  test('a malformed or tampered hash verifies nothing and does not throw', async () => {
    const stored = await hashPassword('password1');
    expect(await verifyPassword('password1', 'plain')).toBe(false);
    expect(await verifyPassword('password1', stored.replace('ln=15', 'ln=30'))).toBe(false);
    expect(await verifyPassword('password1', stored.slice(0, -8))).toBe(false);
    const parts = stored.split('$');
    parts[4] = Buffer.alloc(16, 1).toString('base64');
    expect(await verifyPassword('password1', parts.join('$'))).toBe(false);
  });

  test('verifyNothing is false', async () => {
    expect(await verifyNothing('anything')).toBe(false);
  });
});
