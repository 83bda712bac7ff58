// What the door accepts, the store can store: every POST /timer body the request schema (and the
// one-year limit) accepts becomes a message the consumer's schema accepts. Generated with fast-check
// around the edges that once let a timer in and then lost it (instants before 1970, NUL bytes,
// unpaired surrogates, odd offsets).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createTimerRequest } from './timer-request.js';
import { incomingTimerMessage } from '../../common/messages/timer-message.js';
import { buildTimer } from './publish-timer.js';
import { tooLate } from './check-timer.js';
import { fireAtOf } from './timer-request.js';
import { newTimerId } from '../../common/messages/timer-id.js';

const NOW = Date.UTC(2026, 11, 7, 12);

const edgyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('a\u0000b', '\ud800', '\udfff', 'ok', 'é', '\ud83d\ude00'));
const instant = fc.oneof(
  fc.integer({ min: NOW - 60 * 86_400_000 * 365, max: NOW + 400 * 86_400_000 }).map((ms) => new Date(ms).toISOString()),
  fc.date({ min: new Date(-62_167_219_200_000), max: new Date(253_402_300_799_999), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('1969-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2026-12-07T12:00:00+21:30', '2027-06-01T00:00:00-15:59'),
);
const url = fc.oneof(
  fc.webUrl(),
  edgyText.map((text) => `http://127.0.0.1:9/${text}`),
  fc.constantFrom('http://user:pass@127.0.0.1/', 'http://127.0.0.1/\u0000', `http://127.0.0.1/${'a'.repeat(2100)}`),
);
const when = fc.oneof(fc.record({ seconds: fc.oneof(fc.integer({ min: -5, max: 400 * 86_400 }), fc.double()) }), fc.record({ fire_at: instant }), fc.constant({}));
const shape = fc.record(
  {
    url,
    method: fc.constantFrom('POST', 'PUT', 'PATCH', 'GET'),
    headers: fc.dictionary(fc.constantFrom('x-a', 'x-b', 'X-Key'), edgyText, { maxKeys: 2 }),
    body: fc.jsonValue({ maxDepth: 2 }).chain((json) =>
      fc.oneof(
        fc.constant(json),
        edgyText.map((text) => ({ note: text, json })),
      ),
    ),
    max_attempts: fc.integer({ min: 0, max: 60 }),
  },
  { requiredKeys: ['url'] },
);
const body = fc.tuple(when, shape).map(([w, rest]) => ({ ...w, ...rest }));

describe('a timer the webserver accepts is one a consumer stores', () => {
  it('every accepted body builds a message the consumer schema accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (candidate) => {
        const parsed = createTimerRequest.safeParse(candidate);
        if (!parsed.success || tooLate(fireAtOf(parsed.data, NOW), NOW)) return;
        accepted += 1;
        const message = buildTimer(parsed.data, NOW, { id: newTimerId(), requestId: 'r-1' });
        const stored = incomingTimerMessage.safeParse(JSON.parse(JSON.stringify(message)));
        expect(stored.error?.issues ?? []).toEqual([]);
      }),
      { numRuns: 3_000 },
    );
    // The property said something: a good share of the generated bodies were accepted.
    expect(accepted).toBeGreaterThan(100);
  });
});
