// Unit: the task contracts a configuration knows, and how a submission's type and args are judged.
import { describe, expect, it } from '@jest/globals';
import { checkTaskArgs, submittableContracts, taskContracts } from './contracts.js';
import { FINITE_SUM_MESSAGE } from './sum.js';
import { REGISTRATION_MAIL_TYPE } from './send-registration-email.js';

describe('task contracts', () => {
  it('knows the production types, and the testing types only when asked for', () => {
    expect([...taskContracts({ testing: false }).keys()]).toEqual(['noop', 'sum', 'parse', REGISTRATION_MAIL_TYPE]);
    expect([...taskContracts({ testing: true }).keys()]).toEqual(['noop', 'sum', 'parse', REGISTRATION_MAIL_TYPE, 'sleep', 'crash', 'flaky', 'fail']);
  });

  it('offers clients every type but the internal registration mail', () => {
    expect(submittableContracts(taskContracts({ testing: false })).map((c) => c.name)).toEqual(['noop', 'sum', 'parse']);
  });

  it('refuses an internal type as unknown, naming the types a client may submit', () => {
    const checked = checkTaskArgs(taskContracts({ testing: false }), REGISTRATION_MAIL_TYPE, { user_id: '0190b3c4-0000-7000-8000-000000000001' });
    expect(checked).toEqual({ ok: false, details: [{ field: 'type', message: 'unknown task type; known: noop, sum, parse' }] });
  });

  it('refuses a testing type in a production configuration', () => {
    expect(checkTaskArgs(taskContracts({ testing: false }), 'sleep', { ms: 1 }).ok).toBe(false);
    expect(checkTaskArgs(taskContracts({ testing: true }), 'sleep', { ms: 1 })).toEqual({ ok: true, args: { ms: 1 } });
  });

  it("names the args field that does not fit, with the contract's own message", () => {
    const checked = checkTaskArgs(taskContracts({ testing: false }), 'sum', { numbers: [1e308, 1e308] });
    expect(checked).toEqual({ ok: false, details: [{ field: 'args.numbers', message: FINITE_SUM_MESSAGE }] });
  });

  it('answers the args as the contract parsed them', () => {
    expect(checkTaskArgs(taskContracts({ testing: false }), 'parse', { data: 'x' })).toEqual({ ok: true, args: { data: 'x' } });
  });
});
