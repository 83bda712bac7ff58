// Every task type's contract, by name. The webserver validates submissions against it (an unknown or
// internal type, or bad args: 422, nothing stored or queued) and describes POST /tasks from it; a worker
// builds its runnable registry from the same contracts (worker/tasks/registry.ts), so both processes
// agree on what a type is called and what it takes.
import type { TaskContract } from './task-contract.js';
import { noopContract } from './noop.js';
import { sumContract } from './sum.js';
import { parseContract } from './parse.js';
import { sendRegistrationEmailContract } from './send-registration-email.js';
import { crashContract, failContract, flakyContract, sleepContract } from './testing.js';

// What a production configuration knows: the types clients submit, and the internal ones (each contract
// says whether it is) that only the service itself enqueues.
const PRODUCTION_CONTRACTS = [noopContract, sumContract, parseContract, sendRegistrationEmailContract] as const;
// Known only with TASK_TESTING_TYPES=true.
const TESTING_CONTRACTS = [sleepContract, crashContract, flakyContract, failContract] as const;

/** The name of every task type there is, testing ones included. */
export type TaskName = (typeof PRODUCTION_CONTRACTS | typeof TESTING_CONTRACTS)[number]['name'];

export type TaskContracts = ReadonlyMap<string, TaskContract>;

/** The contracts of a configuration, by name; the testing types only when asked for. */
export function taskContracts(options: { testing: boolean }): TaskContracts {
  const contracts: TaskContract[] = [...PRODUCTION_CONTRACTS, ...(options.testing ? TESTING_CONTRACTS : [])];
  return new Map(contracts.map((contract) => [contract.name, contract]));
}

/** The types a client may submit with POST /tasks: all but the internal ones. */
export function submittableContracts(contracts: TaskContracts): TaskContract[] {
  return [...contracts.values()].filter((contract) => !contract.internal);
}

export type ArgsCheck = { ok: true; args: unknown } | { ok: false; details: Array<{ field: string; message: string }> };

/** Validates a submission's type and args against the contracts. */
export function checkTaskArgs(contracts: TaskContracts, type: string, args: unknown): ArgsCheck {
  const contract = contracts.get(type);
  if (!contract || contract.internal) {
    const known = submittableContracts(contracts).map((c) => c.name);
    return { ok: false, details: [{ field: 'type', message: `unknown task type; known: ${known.join(', ')}` }] };
  }
  const parsed = contract.args.safeParse(args);
  if (parsed.success) return { ok: true, args: parsed.data };
  return { ok: false, details: parsed.error.issues.map((issue) => ({ field: ['args', ...issue.path.map(String)].join('.'), message: issue.message })) };
}
