import { expect, test } from '@jest/globals';
import { InFlight } from './in-flight.js';
import { Batcher } from './batcher.js';

test('drained waits for every tracked piece of work, a failed one included, and forgets what settled', async () => {
  const inFlight = new InFlight();
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const slow = inFlight.track(new Promise<void>((resolve) => (finish = resolve)));
  const failing = inFlight.track(new Promise<void>((_resolve, reject) => (fail = reject)));
  failing.catch(() => undefined);
  let drained = false;
  const waiting = inFlight.drained().then(() => (drained = true));
  fail(new Error('boom'));
  await failing.catch(() => undefined);
  expect(drained).toBe(false);
  finish();
  await slow;
  await waiting;
  expect(drained).toBe(true);
  expect(inFlight.size).toBe(0);
});

test('a batcher for work without results resolves each add once its batch is written', async () => {
  const written: number[][] = [];
  const batcher = Batcher.forWork<number>(async (items) => {
    written.push(items);
  }, 10);
  await expect(Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)])).resolves.toEqual([undefined, undefined, undefined]);
  expect(written).toEqual([[1, 2, 3]]);
});

test('a batcher for work without results rejects every add of a batch whose work failed', async () => {
  const batcher = Batcher.forWork<number>(async () => {
    throw new Error('the database refused');
  }, 10);
  const adds = [batcher.add(1), batcher.add(2)];
  for (const add of adds) await expect(add).rejects.toThrow('the database refused');
});
