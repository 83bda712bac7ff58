import { bodyText, callbackId, responseRecord } from './callbacks.js';

const PARENT = '01a25233-2a3d-7639-aa02-f83ce34d879e';

describe('callbackId', () => {
  test('is the same for the same parent, series, outcome and URL, and differs when any of them does', () => {
    const id = callbackId(PARENT, 1, 'delivered', 'callback_url');
    expect(callbackId(PARENT, 1, 'delivered', 'callback_url')).toBe(id);
    expect(new Set([id, callbackId(PARENT, 2, 'delivered', 'callback_url'), callbackId(PARENT, 1, 'failed', 'failure_callback_url'), callbackId(PARENT, 1, 'delivered', 'result_url')]).size).toBe(4);
  });
});

describe('bodyText', () => {
  test('UTF-8 text is kept as text', () => {
    expect(bodyText(Buffer.from('grüße ✓'), false)).toEqual({ body: 'grüße ✓', body_encoding: 'utf8' });
  });

  test('bytes that are not UTF-8, or text with NUL (which PostgreSQL cannot store), are carried as base64', () => {
    expect(bodyText(Buffer.from([0xff, 0x41]), false)).toEqual({ body: '/0E=', body_encoding: 'base64' });
    expect(bodyText(Buffer.from('a\u0000b'), false)).toEqual({ body: Buffer.from('a\u0000b').toString('base64'), body_encoding: 'base64' });
  });

  test('a cut body leaves out the character the cut split, and stays text', () => {
    const check = Buffer.from('ok ✓'); // ✓ is three bytes
    expect(bodyText(check.subarray(0, check.length - 1), true)).toEqual({ body: 'ok ', body_encoding: 'utf8' });
    expect(bodyText(check.subarray(0, check.length - 2), true)).toEqual({ body: 'ok ', body_encoding: 'utf8' });
  });

  test('a cut body whose last bytes are not the start of a character is base64, not text with bytes left out', () => {
    const bytes = Buffer.from([0x61, 0x62, 0xff]);
    expect(bodyText(bytes, true)).toEqual({ body: bytes.toString('base64'), body_encoding: 'base64' });
  });

  test('a split character is left out only from a cut body; a whole body ending mid-character is base64', () => {
    const bytes = Buffer.from([0x61, 0xe2, 0x9c]);
    expect(bodyText(bytes, false).body_encoding).toBe('base64');
  });
});

describe('responseRecord', () => {
  const answer = { status: 200, headers: { 'content-type': 'text/plain', 'x-other': '1' }, body: Buffer.from('hello world'), bytes: 11 };

  test('keeps the first bytes asked for, counts all read, and says when it cut', () => {
    expect(responseRecord(answer, 5, null)).toEqual({ status: 200, headers: answer.headers, body: 'hello', body_encoding: 'utf8', body_bytes: 11, body_truncated: true });
    expect(responseRecord(answer, 64, null)).toMatchObject({ body: 'hello world', body_truncated: false });
  });

  test('keeps only the chosen headers when told which', () => {
    expect(responseRecord(answer, 64, ['content-type', 'location']).headers).toEqual({ 'content-type': 'text/plain' });
  });
});
