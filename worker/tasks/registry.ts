// Every task type, by name. The webserver validates submissions against it (unknown type or bad args:
// 422, nothing stored or queued); a worker runs from it.
import type { TaskType } from './task-type.js';
import { noopTask } from './noop.js';
import { sumTask } from './sum.js';
import { parseTask } from './parse.js';
import { testingTasks } from './testing.js';
import { sendRegistrationEmailTask } from './send-registration-email.js';

export type TaskRegistry = ReadonlyMap<string, TaskType>;

export function taskRegistry(options: { testing: boolean }): TaskRegistry {
  const types = [noopTask, sumTask, parseTask, sendRegistrationEmailTask, ...(options.testing ? testingTasks : [])] as TaskType[];
  return new Map(types.map((type) => [type.name, type]));
}

export type ArgsCheck = { ok: true; args: unknown } | { ok: false; details: Array<{ field: string; message: string }> };

/** Validates a submission's type and args against the registry. */
export function checkTaskArgs(registry: TaskRegistry, type: string, args: unknown): ArgsCheck {
  const taskType = registry.get(type);
  if (!taskType || taskType.internal) {
    const known = [...registry.values()].filter((t) => !t.internal).map((t) => t.name);
    return { ok: false, details: [{ field: 'type', message: `unknown task type; known: ${known.join(', ')}` }] };
  }
  const parsed = taskType.args.safeParse(args);
  if (parsed.success) return { ok: true, args: parsed.data };
  return { ok: false, details: parsed.error.issues.map((issue) => ({ field: ['args', ...issue.path.map(String)].join('.'), message: issue.message })) };
}
