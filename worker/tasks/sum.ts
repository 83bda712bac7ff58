// sum (the sum service): the sum of a list of finite numbers.
import { sumContract } from '../../common/tasks/sum.js';
import { defineTask, PermanentTaskError } from './task-type.js';

export const sumTask = defineTask(sumContract, async ({ numbers }) => {
  const total = numbers.reduce((acc, n) => acc + n, 0);
  if (!Number.isFinite(total)) throw new PermanentTaskError('the sum is too large to represent');
  return total;
});
