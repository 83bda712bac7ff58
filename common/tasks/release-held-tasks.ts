// Publishing tasks again that already have their row: a retried task, and the held tasks of a type
// whose pause is over. Workers release held tasks on every look at the pauses (worker/paused-types.ts),
// a webserver on POST /tasks/types/{type}/resume; whoever comes first publishes each task once
// (common/store/tasks.ts releaseHeldTasks).
import type { AmqpClient } from '../broker/amqp.js';
import type { Pool } from '../db/pool.js';
import { encodeTaskMessage } from '../messages/task-message.js';
import { releaseHeldTasks } from '../store/tasks.js';

const RELEASE_BATCH = 500;

/** Publishes the tasks' messages to the tasks queue in the given order; resolves once the broker confirmed every one. */
export async function publishTasks(amqp: AmqpClient, ids: readonly string[]): Promise<void> {
  await Promise.all(ids.map((id) => amqp.publish(amqp.names.tasks, encodeTaskMessage(id), { messageId: id })));
}

/**
 * releaseHeld(db, amqp, type): publishes the held tasks whose type is not paused (only `type`'s when
 * given), oldest first, batch after batch until none is left or another releaser is at work; how many.
 * A broker that refuses throws, and the tasks of that batch stay held.
 */
export async function releaseHeld(db: Pool, amqp: AmqpClient, type?: string): Promise<number> {
  let released = 0;
  for (;;) {
    const ids = await releaseHeldTasks(db, (batch) => publishTasks(amqp, batch), { type, limit: RELEASE_BATCH });
    released += ids.length;
    if (ids.length < RELEASE_BATCH) return released;
  }
}
