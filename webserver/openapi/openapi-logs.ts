// The OpenAPI description of the access-log API (POST /api/data, GET /api/data), merged into
// webserver/openapi/openapi.ts. The answer schemas are the ones the tests check the handlers' answers against.
import { z } from 'zod';
import { HTTP_METHODS, MAX_LOG_LINE_LENGTH } from '../../common/messages/access-log-line.js';
import { createLogRequest, LOG_PAGE_DEFAULT, LOG_PAGE_MAX, logPageQuery } from '../logs/log-request.js';
import type { Describe } from './openapi-answers.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const logRecordAnswer = z.object({
  id: z.uuid().describe('the record id (UUIDv7); also the cursor for GET /api/data?id='),
  created: isoTime.describe('when the webserver accepted the line'),
  log: z.object({
    ip: z.string().describe('IPv4 or IPv6 address'),
    method: z.enum(HTTP_METHODS),
    uri: z.string().describe('origin-form path or absolute http(s) URL'),
    status_code: z.number().int().min(100).max(599),
  }),
});

export const logPageAnswer = z.array(logRecordAnswer);

// What common/messages/access-log-line.ts accepts, as far as a regular expression says it: an IP's characters
// (isIP decides), a method, an origin-form path or absolute http(s) URL of RFC 3986 characters with
// '%' escapes, a status; single spaces between.
const URI_CHARACTER = "(?:[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})";
const HOST_CHARACTER = "(?:[A-Za-z0-9\\-._~:\\[\\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})";
export const LOG_LINE_PATTERN = `^[0-9A-Fa-f.:]+ (?:${HTTP_METHODS.join('|')}) (?:/(?!/)|[Hh][Tt][Tt][Pp][Ss]?://${HOST_CHARACTER})${URI_CHARACTER}* [1-5][0-9]{2}$`;

export function logPaths({ schema, query, json, error }: Describe) {
  const request = schema(createLogRequest, 'input') as { properties: Record<string, Record<string, unknown>> };
  request.properties.log = {
    ...request.properties.log,
    maxLength: MAX_LOG_LINE_LENGTH,
    pattern: LOG_LINE_PATTERN,
    description:
      "'<IP> <METHOD> <URI> <STATUS>', single spaces between: an IPv4 or IPv6 address, one of the methods, an origin-form path (not //...) or an absolute http(s) URL with a host, of URI characters (RFC 3986, '%' escapes), a status from 100 to 599; one line without control characters",
  };
  return {
    '/api/data': {
      post: {
        summary: 'Store an access-log line',
        requestBody: { required: true, content: { 'application/json': { schema: request } } },
        responses: {
          201: json(logRecordAnswer, 'accepted: the broker holds the record on disk'),
          415: error('unsupported_media_type: the body is not sent as application/json'),
          418: error('unparsable_log: the log line does not match the pattern; details names the field and why'),
          422: error('validation_failed: the body is not {"log": string}'),
        },
      },
      get: {
        summary: 'Records in the order they were added, after a cursor',
        parameters: query(logPageQuery).map((parameter) =>
          parameter.name === 'limit' ? { ...parameter, description: `records per answer (default ${LOG_PAGE_DEFAULT}, at most ${LOG_PAGE_MAX})` } : parameter,
        ),
        responses: {
          200: json(logPageAnswer, "up to limit records; the last one's id is the next cursor; [] when nothing is new"),
          404: error('no record with that id'),
          422: error('validation_failed: id is not a UUID or limit is out of range; details names each'),
        },
      },
    },
  };
}
