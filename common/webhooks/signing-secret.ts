// The format of a webhook signing secret (Standard Webhooks): `whsec_` and the base64 of 24 to 64 random
// bytes. The configuration checks secrets with it at start; the trigger signs with their bytes.
export const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function secretBytes(secret: string): Buffer {
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(base64, 'base64');
}

/** Is it a secret the trigger can use: base64 (optionally whsec_-prefixed) of 24 to 64 bytes, as the spec recommends. */
export function isSigningSecret(secret: string): boolean {
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return false;
  const bytes = Buffer.from(base64, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}
