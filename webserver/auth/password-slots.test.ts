import { PasswordSlots, PasswordWorkBusyError } from './password-slots.js';

/** A piece of work that finishes when the test says so. */
function pending() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const started = { value: false };
  return { started, finish, work: () => ((started.value = true), done) };
}

describe('password hashing slots', () => {
  test('runs at most `concurrency` hashes at once, queues up to the bound, refuses beyond it at once', async () => {
    const slots = new PasswordSlots(2, 1);
    const [a, b, c] = [pending(), pending(), pending()];
    const runs = [slots.run(a.work), slots.run(b.work), slots.run(c.work)];
    expect([a.started.value, b.started.value, c.started.value]).toEqual([true, true, false]);
    expect(slots.load).toEqual({ running: 2, waiting: 1 });
    await expect(slots.run(async () => 'never')).rejects.toBeInstanceOf(PasswordWorkBusyError);
    a.finish();
    await runs[0];
    expect(c.started.value).toBe(true);
    expect(slots.load).toEqual({ running: 2, waiting: 0 });
    b.finish();
    c.finish();
    await Promise.all(runs);
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  test('a failing hash gives its slot back', async () => {
    const slots = new PasswordSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed');
    expect(await slots.run(async () => 'next')).toBe('next');
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  test('waiting requests get their slots in arrival order', async () => {
    const slots = new PasswordSlots(1, 3);
    const first = pending();
    const order: number[] = [];
    const runs = [slots.run(first.work), ...[1, 2, 3].map((n) => slots.run(async () => void order.push(n)))];
    first.finish();
    await Promise.all(runs);
    expect(order).toEqual([1, 2, 3]);
  });
});
