import { describe, expect, test } from '@jest/globals';
import { formatLogLine, MAX_LOG_LINE_LENGTH, parseLogLine } from './access-log-line.js';

describe('parseLogLine: good lines keep every field as sent', () => {
  test.each([
    ['192.168.0.1 GET /index.html 200', { ip: '192.168.0.1', method: 'GET', uri: '/index.html', status_code: 200 }],
    ['10.0.0.255 POST /api/data?id=5&x=%20y 201', { ip: '10.0.0.255', method: 'POST', uri: '/api/data?id=5&x=%20y', status_code: 201 }],
    ['::1 DELETE /items/7 204', { ip: '::1', method: 'DELETE', uri: '/items/7', status_code: 204 }],
    ['2001:db8::8a2e:370:7334 PUT /a/b;c=d 409', { ip: '2001:db8::8a2e:370:7334', method: 'PUT', uri: '/a/b;c=d', status_code: 409 }],
    ['::ffff:192.0.2.1 HEAD / 100', { ip: '::ffff:192.0.2.1', method: 'HEAD', uri: '/', status_code: 100 }],
    ['1.2.3.4 OPTIONS http://example.com:8080/x#frag 599', { ip: '1.2.3.4', method: 'OPTIONS', uri: 'http://example.com:8080/x#frag', status_code: 599 }],
    ['1.2.3.4 CONNECT https://[2001:db8::1]/ 502', { ip: '1.2.3.4', method: 'CONNECT', uri: 'https://[2001:db8::1]/', status_code: 502 }],
    ['1.2.3.4 TRACE /t 405', { ip: '1.2.3.4', method: 'TRACE', uri: '/t', status_code: 405 }],
    ['1.2.3.4 PATCH /p 422', { ip: '1.2.3.4', method: 'PATCH', uri: '/p', status_code: 422 }],
    // Injection-shaped but legal URIs: stored verbatim through parameterised SQL, never interpreted.
    ["1.2.3.4 GET /q?name=x';DROP(TABLE)log_records;-- 200", { ip: '1.2.3.4', method: 'GET', uri: "/q?name=x';DROP(TABLE)log_records;--", status_code: 200 }],
    ['1.2.3.4 GET /q?a=1%27%20OR%201=1 200', { ip: '1.2.3.4', method: 'GET', uri: '/q?a=1%27%20OR%201=1', status_code: 200 }],
  ])('%s', (line, log) => {
    const parsed = parseLogLine(line);
    expect(parsed).toEqual({ ok: true, log });
    if (parsed.ok) expect(formatLogLine(parsed.log)).toBe(line);
  });
});

describe('parseLogLine: bad lines name the wrong field', () => {
  test.each([
    ['empty', '', 'log'],
    ['three fields', '1.2.3.4 GET /', 'log'],
    ['five fields', '1.2.3.4 GET / 200 extra', 'log'],
    ['two spaces', '1.2.3.4  GET / 200', 'log'],
    ['leading space', ' 1.2.3.4 GET / 200', 'log'],
    ['trailing newline', '1.2.3.4 GET / 200\n', 'log'],
    ['a second line smuggled in', '1.2.3.4 GET / 200\n5.6.7.8 GET /admin 200', 'log'],
    ['a carriage return', '1.2.3.4 GET /\r 200', 'log'],
    ['a tab as separator', '1.2.3.4\tGET / 200', 'log'],
    ['a NUL byte', '1.2.3.4 GET /\u0000 200', 'log'],
    ['an escape sequence', '1.2.3.4 GET /\u001b[31m 200', 'log'],
    ['a line separator', '1.2.3.4 GET /\u2028 200', 'log'],
    ['a huge line', `1.2.3.4 GET /${'a'.repeat(MAX_LOG_LINE_LENGTH)} 200`, 'log'],
    ['SQL as the whole line', "'; DROP TABLE log_records; --", 'log'],
    ['an IPv4 out of range', '256.1.1.1 GET / 200', 'ip'],
    ['a host name as ip', 'example.com GET / 200', 'ip'],
    ['SQL as ip', "1.2.3.4'-- GET / 200", 'ip'],
    ['an IPv6 with a zone', 'fe80::1%eth0 GET / 200', 'ip'],
    ['a lower-case method', '1.2.3.4 get / 200', 'method'],
    ['an unknown method', '1.2.3.4 BREW / 200', 'method'],
    ['a relative uri', '1.2.3.4 GET index.html 200', 'uri'],
    ['a protocol-relative uri', '1.2.3.4 GET //evil.example/x 200', 'uri'],
    ['a non-http scheme', '1.2.3.4 GET javascript:alert(1) 200', 'uri'],
    ['an absolute URL without host', '1.2.3.4 GET http:///x 200', 'uri'],
    ['a quote in the uri', '1.2.3.4 GET /"x" 200', 'uri'],
    ['markup in the uri', '1.2.3.4 GET /<script> 200', 'uri'],
    ['a non-ASCII uri', '1.2.3.4 GET /caf\u00e9 200', 'uri'],
    ['a broken percent escape', '1.2.3.4 GET /a%zz 200', 'uri'],
    ['status 99', '1.2.3.4 GET / 99', 'status_code'],
    ['status 600', '1.2.3.4 GET / 600', 'status_code'],
    ['status 0200', '1.2.3.4 GET / 0200', 'status_code'],
    ['status 2e2', '1.2.3.4 GET / 2e2', 'status_code'],
    ['status with SQL', '1.2.3.4 GET / 200;DELETE', 'status_code'],
  ])('%s', (_name, line, field) => {
    const parsed = parseLogLine(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.field).toBe(field);
      expect(parsed.error.message.length).toBeGreaterThan(10);
    }
  });
});
