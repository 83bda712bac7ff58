// sum: the sum of a list of finite numbers. The sum service's routes (POST /sync/sum, /async/post_task)
// check their bodies with the same overflow rule, so a list they accept is one the task can add up.
import { z } from 'zod';
import { defineTaskContract } from './task-contract.js';

/** The largest list any sum task accepts; the seed routes apply SUM_MAX_NUMBERS, which may be lower. */
export const SUM_LIMIT = 1_000_000;

/** Whether the numbers add up to a number JSON can carry: [1e308, 1e308] overflows to Infinity. */
export const hasFiniteSum = (numbers: number[]) => Number.isFinite(numbers.reduce((acc, n) => acc + n, 0));
export const FINITE_SUM_MESSAGE = 'the sum of the numbers is too large to represent (it overflows)';

export const sumArgs = z
  .object({
    numbers: z.array(z.number().finite()).min(1, 'give at least one number').max(SUM_LIMIT).refine(hasFiniteSum, FINITE_SUM_MESSAGE),
  })
  .strict();

export const sumContract = defineTaskContract({
  name: 'sum',
  description: 'the sum of args.numbers; result a number',
  pure: true,
  args: sumArgs,
  result: z.number(),
});
