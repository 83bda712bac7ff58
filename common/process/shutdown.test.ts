import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import { Shutdown } from './shutdown.js';
import type { Logger } from '../observability/logger.js';

function recordingLogger() {
  const lines: Array<{ level: string; fields: object; msg: string }> = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push({ level, fields, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger };
}

/** A promise with its resolve, to hold a step until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('steps run last-registered first, each finished before the next starts', async () => {
  const order: string[] = [];
  const shutdown = new Shutdown(recordingLogger().log, 10_000, () => undefined);
  shutdown.add('close pools', () => void order.push('close pools'));
  shutdown.add('drain work', async () => {
    order.push('drain work: begun');
    await Promise.resolve();
    order.push('drain work: done');
  });
  shutdown.add('stop intake', () => void order.push('stop intake'));
  await shutdown.stop();
  expect(order).toEqual(['stop intake', 'drain work: begun', 'drain work: done', 'close pools']);
});

test('a failing step is logged and the steps after it still run', async () => {
  const ran: string[] = [];
  const { lines, log } = recordingLogger();
  const shutdown = new Shutdown(log, 10_000, () => undefined);
  shutdown.add('close pools', () => void ran.push('close pools'));
  shutdown.add('close channel', () => Promise.reject(new Error('channel already closed')));
  shutdown.add('cancel consumers', () => {
    throw new Error('connection lost');
  });
  shutdown.add('stop intake', () => void ran.push('stop intake'));
  await expect(shutdown.stop()).resolves.toBeUndefined();
  expect(ran).toEqual(['stop intake', 'close pools']);
  expect(lines.filter((l) => l.level === 'warn').map((l) => (l.fields as { step: string }).step)).toEqual(['cancel consumers', 'close channel']);
});

test('stop is idempotent: every call gets the same stop, and each step runs once', async () => {
  let runs = 0;
  const shutdown = new Shutdown(recordingLogger().log, 10_000, () => undefined);
  shutdown.add('close', () => void (runs += 1));
  const first = shutdown.stop();
  const second = shutdown.stop();
  expect(second).toBe(first);
  await first;
  await shutdown.stop();
  expect(runs).toBe(1);
});

describe('the deadline', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('forces exit 1 when the steps are not done in time', async () => {
    const exit = jest.fn<(code: number) => void>();
    const { lines, log } = recordingLogger();
    const shutdown = new Shutdown(log, 5_000, exit);
    shutdown.add('drain work', () => new Promise<void>(() => undefined));
    void shutdown.stop();
    await jest.advanceTimersByTimeAsync(4_999);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines.map((l) => l.msg)).toContain('shutdown deadline passed: exiting');
  });

  test('is cleared by a stop that finishes in time', async () => {
    const exit = jest.fn<(code: number) => void>();
    const shutdown = new Shutdown(recordingLogger().log, 5_000, exit);
    const work = gate();
    shutdown.add('drain work', () => work.promise);
    const stopped = shutdown.stop();
    await jest.advanceTimersByTimeAsync(1_000);
    work.open();
    await stopped;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(exit).not.toHaveBeenCalled();
  });
});

describe('signals', () => {
  test('SIGTERM runs the steps, then exits 0', async () => {
    const signals = new EventEmitter();
    const exited = gate();
    const codes: number[] = [];
    const shutdown = new Shutdown(recordingLogger().log, 10_000, (code) => {
      codes.push(code);
      exited.open();
    });
    const ran: string[] = [];
    shutdown.add('close', () => void ran.push('close'));
    shutdown.listen(signals);
    signals.emit('SIGTERM');
    await exited.promise;
    expect(ran).toEqual(['close']);
    expect(codes).toEqual([0]);
  });

  test('a second signal during the stop exits 1 at once, without waiting for the steps', async () => {
    const signals = new EventEmitter();
    const exit = jest.fn<(code: number) => void>();
    const { lines, log } = recordingLogger();
    const shutdown = new Shutdown(log, 10_000, exit);
    const work = gate();
    let runs = 0;
    shutdown.add('drain work', () => {
      runs += 1;
      return work.promise;
    });
    shutdown.listen(signals);
    signals.emit('SIGTERM');
    expect(exit).not.toHaveBeenCalled();
    signals.emit('SIGINT');
    expect(exit.mock.calls).toEqual([[1]]);
    expect(lines.map((l) => l.msg)).toEqual(['stopping', 'second signal: exiting now']);
    expect(runs).toBe(1);
    work.open();
  });
});
