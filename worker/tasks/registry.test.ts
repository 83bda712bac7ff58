// Unit: the worker runs exactly the task types the contracts define, each with its contract's schemas.
import { describe, expect, it } from '@jest/globals';
import { taskContracts } from '../../common/tasks/contracts.js';
import { taskRegistry } from './registry.js';

describe.each([false, true])('the runnable task types (testing: %s)', (testing) => {
  it('are those of the contracts, by the same names', () => {
    expect([...taskRegistry({ testing }).keys()].sort()).toEqual([...taskContracts({ testing }).keys()].sort());
  });

  it('check args and results with the very schemas of their contracts', () => {
    const registry = taskRegistry({ testing });
    for (const contract of taskContracts({ testing }).values()) {
      const type = registry.get(contract.name)!;
      expect(type.internal).toBe(contract.internal);
      expect(type.args).toBe(contract.args);
      expect(type.result).toBe(contract.result);
    }
  });
});
