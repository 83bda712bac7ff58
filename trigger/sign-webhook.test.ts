// Standard Webhooks signing, against the spec's published test vector and the reference library.
import { Webhook } from 'standardwebhooks';
import { signatureHeaders, webhookSigner } from './sign-webhook.js';
import { isSigningSecret, secretBytes } from '../common/webhooks/signing-secret.js';

// The test vector of the Standard Webhooks reference libraries.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

test('signs the spec test vector to its published signature', () => {
  expect(signatureHeaders([secretBytes(VECTOR.secret)], VECTOR.id, VECTOR.timestamp, VECTOR.body)).toEqual({
    'webhook-id': VECTOR.id,
    'webhook-timestamp': String(VECTOR.timestamp),
    'webhook-signature': VECTOR.signature,
  });
});

test('the reference library verifies what the signer sends, with either of two secrets (rotation)', () => {
  const sign = webhookSigner([VECTOR.secret, OTHER]);
  const body = JSON.stringify({ id: '0190b3c4-0000-7000-8000-000000000001' });
  const headers = sign('0190b3c4-0000-7000-8000-000000000001', body);
  expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
  expect(new Webhook(VECTOR.secret).verify(body, headers)).toEqual(JSON.parse(body));
  expect(new Webhook(OTHER).verify(body, headers)).toEqual(JSON.parse(body));
  expect(() => new Webhook('whsec_' + Buffer.alloc(32, 9).toString('base64')).verify(body, headers)).toThrow('No matching signature');
  expect(() => new Webhook(OTHER).verify(body.replace('1"', '2"'), headers)).toThrow('No matching signature');
});

test('the timestamp is whole seconds of the clock at signing', () => {
  const sign = webhookSigner([OTHER], () => 1_700_000_000_999);
  expect(sign('x', '{}')['webhook-timestamp']).toBe('1700000000');
});

test('without a secret nothing is added', () => {
  expect(webhookSigner([])('x', '{}')).toEqual({});
});

test('accepts whsec_ base64 secrets of 24 to 64 bytes only', () => {
  expect(isSigningSecret(VECTOR.secret)).toBe(true);
  expect(isSigningSecret(OTHER.slice('whsec_'.length))).toBe(true);
  expect(isSigningSecret('whsec_' + Buffer.alloc(16).toString('base64'))).toBe(false);
  expect(isSigningSecret('whsec_' + Buffer.alloc(65).toString('base64'))).toBe(false);
  expect(isSigningSecret('whsec_not base64!')).toBe(false);
  expect(isSigningSecret('')).toBe(false);
});
