// Standard Webhooks signing (https://www.standardwebhooks.com): every webhook carries
//   webhook-id: the timer id (the same on every attempt, so receivers can deduplicate)
//   webhook-timestamp: integer seconds since the epoch at send time
//   webhook-signature: v1,<base64 HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)>
// With several secrets configured (rotation), one signature per secret, separated by spaces; a
// receiver accepts the request when any of them verifies. The body signed is the exact bytes sent.
import { createHmac } from 'node:crypto';
import { secretBytes } from '../common/webhooks/signing-secret.js';

/** The headers of one signed request. */
export type SignatureHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

/** signs(id, body): the headers to add to a request; none when no secret is configured. */
export type WebhookSigner = (id: string, body: string) => SignatureHeaders | Record<string, never>;

/** signatureHeaders(keys, id, timestampS, body): the three Standard Webhooks headers. */
export function signatureHeaders(keys: readonly Buffer[], id: string, timestampS: number, body: string): SignatureHeaders {
  const signed = `${id}.${timestampS}.${body}`;
  const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': signatures.join(' ') };
}

/** webhookSigner(secrets): signs with every secret at the current time; signs nothing when there is none. */
export function webhookSigner(secrets: readonly string[], now: () => number = Date.now): WebhookSigner {
  const keys = secrets.map(secretBytes);
  if (keys.length === 0) return () => ({});
  return (id, body) => signatureHeaders(keys, id, Math.floor(now() / 1000), body);
}
