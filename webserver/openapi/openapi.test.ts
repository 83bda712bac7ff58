// The OpenAPI description is a document tools can use: a standard validator accepts it, every $ref
// resolves from its root, and every operation lists the answers its route can give besides its own
// (a bad token, an unreadable or oversized body, the 422 of any body or query, nginx's 429 and 503).
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiDocument } from './openapi.js';
import { LOG_LINE_PATTERN } from './openapi-logs.js';
import { parseLogLine } from '../../common/messages/access-log-line.js';
import { OpenApiCheck } from '../../test/helpers/openapi-check.js';
import { taskOutcomeBody, timerOutcomeBody } from './openapi-callbacks.js';
import { ATTEMPT_BODY_MAX_BYTES, CALLBACK_BODY_MAX_BYTES, RECORDED_HEADERS, responseRecord, taskCallbackBody, timerCallbackBody } from '../../common/webhooks/callbacks.js';
import { timerView } from '../timers/timer-view.js';
import { timerRow } from '../../test/helpers/timer-row.js';

type Json = Record<string, unknown>;
type Operation = { parameters?: Array<{ in: string }>; requestBody?: unknown; security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };

const doc = openApiDocument();
const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, path, operation })),
);

function refsOf(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => refsOf(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsOf(value, found);
    }
  }
  return found;
}

const resolve = (ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], doc);

test('swagger-parser validates the description as OpenAPI 3.1, every $ref resolved', async () => {
  await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
});

test('every $ref points into the document from its root, and no schema carries $defs of its own', () => {
  const refs = refsOf(doc);
  expect(refs.length).toBeGreaterThan(50);
  expect(refs.filter((ref) => !ref.startsWith('#/components/') || resolve(ref) === undefined)).toEqual([]);
  expect(JSON.stringify(doc)).not.toContain('$defs');
});

test('every operation lists 429 and 503 (nginx), and every API operation 401 (a bad token)', () => {
  const early = new Set(['/health', '/ready', '/openapi.json', '/metrics', '/docs', '/redoc', '/dashboard']);
  for (const { name, path, operation } of operations) {
    expect({ name, has: ['429', '503'].every((status) => status in operation.responses) }).toEqual({ name, has: true });
    if (!early.has(path)) expect({ name, has401: '401' in operation.responses }).toEqual({ name, has401: true });
  }
});

test('an operation with a body lists 400, 413, 415 and 422; with a query 422; with a path id 400', () => {
  for (const { name, operation } of operations) {
    const statuses = Object.keys(operation.responses);
    const expected = [
      ...(operation.requestBody ? ['400', '413', '415', '422'] : []),
      ...(operation.parameters?.some((p) => p.in === 'query') ? ['422'] : []),
      ...(operation.parameters?.some((p) => p.in === 'path') ? ['400'] : []),
    ];
    expect({ name, missing: expected.filter((status) => !statuses.includes(status)) }).toEqual({ name, missing: [] });
  }
});

test('the conflicts of a timer and of a task cancel carry their state; a failed sum its session id', () => {
  const check = new OpenApiCheck(doc);
  const answer = (method: string, url: string, status: number, body: unknown) => check.violations({ method, url, status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
  const id = '01890000-0000-7000-8000-000000000000';
  expect(answer('DELETE', `/timer/${id}`, 409, { error: 'not_pending', state: 'cancelled', message: 'the timer was cancelled' })).toEqual([]);
  expect(answer('PATCH', `/timer/${id}`, 409, { error: 'not_pending', state: 'delivered', message: 'the timer has fired already' })).toEqual([]);
  expect(answer('POST', `/tasks/${id}/cancel`, 409, { error: 'not_cancellable', message: 'the task is running', state: 'running' })).toEqual([]);
  expect(answer('POST', '/sync/sum', 500, { error: 'task_failed', message: 'boom', session_id: id })).toEqual([]);
  // and the check refuses a field the description does not have, a status it does not list, an unknown route's 200
  expect(answer('GET', `/timer/${id}`, 404, { error: 'not_found', message: 'no timer', state: 'x' })).not.toEqual([]);
  expect(answer('GET', `/timer/${id}`, 418, { error: 'x', message: 'y' })).not.toEqual([]);
  expect(answer('PUT', '/timers', 404, { error: 'not_found', message: 'no route for PUT /timers' })).toEqual([]);
  expect(answer('PUT', '/timers', 200, {})).not.toEqual([]);
});

test('the access-log line pattern accepts the lines that parse and refuses those that do not', () => {
  const pattern = new RegExp(LOG_LINE_PATTERN, 'u');
  const good = ['127.0.0.1 GET /api/data 200', '::1 POST http://example.com/a?b=c%20d 503', '10.0.0.1 PATCH / 101', '2001:db8::1 DELETE https://h:8080/x#y 404'];
  const bad = ['127.0.0.1 GET /x 600', '127.0.0.1 get /x 200', '127.0.0.1  GET /x 200', '127.0.0.1 GET //x 200', '127.0.0.1 GET /a%zz 200', '127.0.0.1 GET ftp://x 200', '127.0.0.1 GET /x 200\n'];
  for (const line of good) expect({ line, parses: parseLogLine(line).ok, matches: pattern.test(line) }).toEqual({ line, parses: true, matches: true });
  for (const line of bad) expect({ line, parses: parseLogLine(line).ok, matches: pattern.test(line) }).toEqual({ line, parses: false, matches: false });
});

test('POST /tasks names the public task types and checks args by type', () => {
  const schema = (doc.paths['/tasks'] as unknown as Record<string, Operation & { requestBody: { content: Record<string, { schema: { properties: Record<string, Json>; allOf: unknown[] } }> } }>).post!
    .requestBody.content['application/json']!.schema;
  expect(schema.properties.type!.enum).toEqual(['noop', 'sum', 'parse']);
  expect(schema.allOf).toHaveLength(3);
});

describe('outcome callbacks', () => {
  const at = Date.UTC(2030, 0, 1, 12, 0, 0);
  const id = '01890000-0000-7000-8000-000000000001';
  const callbackId = '6b8f0c1e-2a3d-5e4f-9a0b-1c2d3e4f5a6b';
  // A receiver's answer: JSON text, and bytes that are not UTF-8 (shown as base64), each cut short.
  const answer = { status: 201, headers: { 'content-type': 'application/json', 'x-request-id': 'r-1', 'set-cookie': 'a=b' }, body: Buffer.from('{"order":"accepted"}'), bytes: 20 };
  const binary = { status: 500, headers: {}, body: Buffer.alloc(2048, 0xff), bytes: 70_000 };

  test('the callback body the trigger sends is what webhooks/timerOutcome describes, field for field', () => {
    const facts = { timerId: id, url: 'https://example.com/hook', scheduleId: null, instant: null, attempts: 2, series: 1, fireAt: at, startedAt: at + 5, finishedAt: at + 9 };
    const delivered = timerCallbackBody({ ...facts, outcome: 'delivered', status: 201, error: null, response: responseRecord(answer, CALLBACK_BODY_MAX_BYTES, null) });
    const failed = timerCallbackBody({ ...facts, outcome: 'failed', status: 500, error: 'HTTP 500', response: responseRecord(binary, CALLBACK_BODY_MAX_BYTES, null), series: 3 });
    const unanswered = timerCallbackBody({ ...facts, outcome: 'failed', status: null, error: 'ECONNREFUSED', response: null, scheduleId: callbackId, instant: at });
    for (const body of [delivered, failed, unanswered]) expect(timerOutcomeBody.strict().safeParse(body).error).toBeUndefined();
    expect(failed.response).toMatchObject({ body_encoding: 'base64', body_truncated: true, body_bytes: 70_000 });
  });

  test('the callback body the worker sends is what webhooks/taskOutcome describes, field for field', () => {
    const facts = { taskId: id, taskType: 'sum', attempts: 1, createdAt: at, startedAt: at + 1, finishedAt: at + 2 };
    const succeeded = taskCallbackBody({ ...facts, outcome: 'succeeded', result: { total: 3 }, error: null });
    const failed = taskCallbackBody({ ...facts, outcome: 'failed', result: null, error: 'no such invoice', startedAt: null });
    for (const body of [succeeded, failed]) expect(taskOutcomeBody.strict().safeParse(body).error).toBeUndefined();
  });

  test('GET /timer/{id} with its callbacks, callback_of and the answers its attempts keep is an answer the description allows', () => {
    const attempt = (n: number, record: ReturnType<typeof responseRecord> | null) => ({
      attempt: n,
      series: 1,
      started_at: new Date(at).toISOString(),
      duration_ms: 4,
      status: record?.status ?? null,
      error: record ? null : 'ECONNRESET',
      ...(record ? { response: record } : {}),
    });
    const kept = responseRecord(answer, ATTEMPT_BODY_MAX_BYTES, RECORDED_HEADERS);
    expect(Object.keys(kept.headers)).toEqual(['content-type', 'x-request-id']);
    const timer = timerRow({
      id,
      fire_at: new Date(at),
      created_at: new Date(at),
      state: 'delivered',
      attempts: 2,
      callback_url: 'https://example.com/done',
      failure_callback_url: 'https://example.com/failed',
      attempt_log: [attempt(1, null), attempt(2, kept)],
    });
    const callback = timerRow({
      id: callbackId,
      fire_at: new Date(at),
      created_at: new Date(at),
      url: 'https://example.com/done',
      callback_of: id,
      callback_outcome: 'delivered',
      attempt_log: [attempt(1, responseRecord(binary, ATTEMPT_BODY_MAX_BYTES, RECORDED_HEADERS))],
    });
    const check = new OpenApiCheck(doc);
    const read = (path: string, body: unknown) => check.violations({ method: 'GET', url: path, status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
    expect(read(`/timer/${id}`, timerView(timer, at, 5, [callback]))).toEqual([]);
    expect(read(`/timer/${callbackId}`, timerView(callback, at, 5, []))).toEqual([]);
    expect(read('/timers', { timers: [timerView(timer, at, 5), timerView(callback, at, 5)], next_cursor: null })).toEqual([]);
  });
});
