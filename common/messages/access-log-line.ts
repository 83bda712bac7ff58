// The access-log line, '<IP> <METHOD> <URI> <STATUS>', parsed into its four fields. Anything
// else is refused with the field that is wrong and why: the webserver answers that with a 418.
import { isIP } from 'node:net';

export const MAX_LOG_LINE_LENGTH = 8_192;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface AccessLog {
  ip: string;
  method: HttpMethod;
  uri: string;
  status_code: number;
}

export interface LogLineError {
  /** 'log' for the line as a whole, else the field that is wrong */
  field: 'log' | keyof AccessLog;
  message: string;
}

export type ParsedLogLine = { ok: true; log: AccessLog } | { ok: false; error: LogLineError };

// RFC 3986: unreserved, reserved and '%'; a '%' must start a two-digit hex escape.
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point: a log line must not carry them
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const STATUS = /^[1-5][0-9]{2}$/;

const fail = (field: LogLineError['field'], message: string): ParsedLogLine => ({ ok: false, error: { field, message } });

function uriProblem(uri: string): string | null {
  if (!URI_CHARACTERS.test(uri)) return 'must contain only URI characters (RFC 3986); percent-encode the others';
  if (BAD_PERCENT.test(uri)) return "a '%' must be followed by two hex digits";
  if (uri.startsWith('/')) return uri.startsWith('//') ? 'an origin-form path must not start with //' : null;
  if (!/^https?:\/\/[^/?#]/i.test(uri)) return 'must be an origin-form path (/...) or an absolute http(s) URL';
  try {
    return new URL(uri).hostname === '' ? 'the absolute URL has no host' : null;
  } catch {
    return 'is not a valid absolute URL';
  }
}

/** parseLogLine('1.2.3.4 GET /x 200'): the four fields, or the first one that is wrong. */
export function parseLogLine(line: string): ParsedLogLine {
  if (line.length > MAX_LOG_LINE_LENGTH) return fail('log', `must be at most ${MAX_LOG_LINE_LENGTH} characters`);
  if (CONTROL.test(line)) return fail('log', 'must be one line without control characters');
  const fields = line.split(' ');
  if (fields.length !== 4 || fields.some((field) => field === '')) {
    return fail('log', "must be '<IP> <METHOD> <URI> <STATUS>': four fields separated by single spaces");
  }
  const [ip, method, uri, status] = fields as [string, string, string, string];
  if (isIP(ip) === 0 || ip.includes('%')) return fail('ip', 'must be an IPv4 or IPv6 address');
  if (!(HTTP_METHODS as readonly string[]).includes(method)) return fail('method', `must be one of ${HTTP_METHODS.join(', ')}`);
  const problem = uriProblem(uri);
  if (problem) return fail('uri', problem);
  if (!STATUS.test(status)) return fail('status_code', 'must be an HTTP status code from 100 to 599');
  return { ok: true, log: { ip, method: method as HttpMethod, uri, status_code: Number(status) } };
}

/** The line a record was made from: formatLogLine(parseLogLine(line).log) === line. */
export function formatLogLine(log: AccessLog): string {
  return `${log.ip} ${log.method} ${log.uri} ${log.status_code}`;
}
