// How a dead letter reads: the reason from x-dead-reason or derived from x-death, the body as JSON or
// bounded text, and which headers a requeue drops.
import { BODY_SHOWN_BYTES, deadLetterView, isDeadLetterHeader } from './dead-letter-view.js';

const message = (content: string | Buffer, headers: Record<string, unknown>, messageId: string | null = 'm1') => ({
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
  properties: { messageId: messageId ?? undefined, contentType: 'application/json', headers } as never,
});

test('a copy made by the dead-letterer reads its own headers', () => {
  const view = deadLetterView(message('{"a":1}', { 'x-dead-reason': 'undecodable: x', 'x-dead-queue': 'p.tasks', 'x-dead-at': '2026-01-02T03:04:05.000Z' }), 'p.tasks');
  expect(view).toEqual({
    message_id: 'm1',
    reason: 'undecodable: x',
    from_queue: 'p.tasks',
    dead_lettered_at: '2026-01-02T03:04:05.000Z',
    content_type: 'application/json',
    body: { a: 1 },
    body_format: 'json',
    body_bytes: 7,
    truncated: false,
  });
});

test('a message the broker dead-lettered gets its reason, queue and instant from the newest x-death entry', () => {
  const deaths = [
    { reason: 'rejected', queue: 'p.incoming_timers', time: { '!': 'timestamp', value: 1_767_225_600 }, count: 2 },
    { reason: 'expired', queue: 'elsewhere', time: { '!': 'timestamp', value: 0 }, count: 1 },
  ];
  const view = deadLetterView(message('x', { 'x-death': deaths }), 'p.incoming_timers');
  expect(view.reason).toBe('rejected in p.incoming_timers (x-death, count 2)');
  expect(view.from_queue).toBe('p.incoming_timers');
  expect(view.dead_lettered_at).toBe('2026-01-01T00:00:00.000Z');
});

test('without either header the reason says so, and the queue is the one the .dead queue belongs to', () => {
  const view = deadLetterView(message('x', {}, null), 'p.tasks');
  expect(view).toMatchObject({ message_id: null, from_queue: 'p.tasks', dead_lettered_at: null });
  expect(view.reason).toMatch(/^unknown/);
});

test('a body that is not JSON is text; a longer one is cut at the bound and marked truncated', () => {
  expect(deadLetterView(message('not json', {}), 'q')).toMatchObject({ body: 'not json', body_format: 'text', truncated: false });
  const long = JSON.stringify({ pad: 'y'.repeat(BODY_SHOWN_BYTES) });
  const view = deadLetterView(message(long, {}), 'q');
  expect(view).toMatchObject({ body_format: 'text', body_bytes: long.length, truncated: true });
  expect(view.body).toBe(long.slice(0, BODY_SHOWN_BYTES));
});

test('the dead-lettering headers are the ones a requeue drops', () => {
  expect(['x-dead-reason', 'x-dead-queue', 'x-dead-at', 'x-death', 'x-first-death-reason', 'x-last-death-queue'].every(isDeadLetterHeader)).toBe(true);
  expect(['x-request-id', 'x-deadline', 'content-type'].some(isDeadLetterHeader)).toBe(false);
});
