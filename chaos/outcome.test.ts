import { chaosOutcome } from './outcome.js';
import type { ReceiverRecord } from './flaky-receiver.js';

const record = (fields: Partial<ReceiverRecord>): ReceiverRecord => ({ firstArrival: 1_000, firstDelivered: 1_000, delivered: 1, requests: 1, ...fields });

test('counts delivered, failed, lost, stuck and duplicates', () => {
  const accepted = new Map([
    ['ok', 900],
    ['twice', 900],
    ['retried', 900],
    ['failed', 900],
    ['never', 900],
    ['delivered-but-retrying', 900],
    ['no-row', 900],
  ]);
  const records = new Map<string, ReceiverRecord>([
    ['ok', record({})],
    ['twice', record({ delivered: 2, requests: 2 })],
    ['retried', record({ firstArrival: 1_000, firstDelivered: 3_000, requests: 3 })],
    ['failed', record({ firstDelivered: null, delivered: 0, requests: 5 })],
    ['delivered-but-retrying', record({})],
  ]);
  const states = new Map([
    ['ok', 'delivered'],
    ['twice', 'delivered'],
    ['retried', 'delivered'],
    ['failed', 'failed'],
    ['never', 'retrying'],
    ['delivered-but-retrying', 'retrying'],
  ]);
  const outcome = chaosOutcome(accepted, records, states);
  expect(outcome).toMatchObject({ accepted: 7, delivered: 4, failed: 1, lost: 2, stuck: 3, duplicates: 1 });
  expect(outcome.lostIds.sort()).toEqual(['never', 'no-row']);
  expect(outcome.stuckIds.sort()).toEqual(['delivered-but-retrying', 'never', 'no-row']);
  expect(outcome.firstAttemptLatenessMs).toMatchObject({ count: 5, max: 100 });
  expect(outcome.deliveredLatenessMs).toMatchObject({ count: 4, max: 2_100 });
});

test('nothing accepted: nothing lost', () => {
  expect(chaosOutcome(new Map(), new Map(), new Map())).toMatchObject({ accepted: 0, lost: 0, stuck: 0 });
});
