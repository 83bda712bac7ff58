import { expect, test } from '@jest/globals';
import { parseLogLine } from '../common/messages/access-log-line.js';
import { randomLogLine } from './log-lines.js';

test('every generated line parses, and both IP families, absolute URLs and queries occur', () => {
  const lines = Array.from({ length: 2_000 }, () => randomLogLine());
  for (const line of lines) expect(parseLogLine(line)).toMatchObject({ ok: true });
  const logs = lines.map((line) => parseLogLine(line)).flatMap((p) => (p.ok ? [p.log] : []));
  expect(logs.some((l) => l.ip.includes(':'))).toBe(true);
  expect(logs.some((l) => l.ip.includes('.'))).toBe(true);
  expect(logs.some((l) => l.uri.startsWith('https://'))).toBe(true);
  expect(logs.some((l) => l.uri.includes('?'))).toBe(true);
});
