// Waiting for a task without blocking the event loop. A waiting submit publishes its task with
// replyTo = amq.rabbitmq.reply-to (RabbitMQ direct reply-to) on the publish channel, which consumes its
// replies (noAck); the worker replies once the outcome is stored. A wait whose reply cannot come (the
// channel closed, a delayed task, a task gone back to the queue for a retry) polls the tasks table
// instead. Every wait ends by its deadline. A reply that finished the task carries its committed row,
// which the wait hands to the caller; otherwise the caller reads the task and answers 200 or 202.
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Pool } from '../../common/db/pool.js';
import type { Logger } from '../../common/observability/logger.js';
import type { TaskRow } from '../../common/store/tasks.js';
import { DIRECT_REPLY_TO, taskReply } from '../../common/messages/task-message.js';
import { FINAL_STATES, findTask } from '../../common/store/tasks.js';

const POLL_INTERVAL_MS = 250;

interface Pending {
  finish: (task?: TaskRow) => void;
  polling: boolean;
}

export interface TaskWait {
  /** resolves when the task has finished or the wait's time is up, never rejects; with the finished
   * task when its reply carried it (null: read it) */
  done: Promise<TaskRow | null>;
  /** true when the task's message should carry replyTo (false: this wait polls) */
  viaReply: boolean;
  cancel(): void;
}

export class TaskReplies {
  private readonly pending = new Map<string, Pending>();
  private channel: Channel | null = null;

  constructor(
    private readonly db: Pool,
    private readonly log: Logger,
  ) {}

  /** Consumes direct replies on a (new) publish channel; given to AmqpClient.onPublishChannel. */
  readonly attach = async (channel: Channel): Promise<void> => {
    await channel.consume(DIRECT_REPLY_TO, (message) => message && this.onReply(message), { noAck: true });
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = null;
      // Replies addressed to this channel are lost with it: every wait in progress polls from now on.
      for (const [id, pending] of this.pending) this.poll(id, pending);
    });
    this.channel = channel;
  };

  /** Waits in progress (the tests use it to see that 1,000 of them are held at once). */
  get size(): number {
    return this.pending.size;
  }

  /** Registers a wait for a task about to be published; `direct` false makes it poll (delayed tasks). */
  wait(id: string, ms: number, direct = true): TaskWait {
    let finish!: (task: TaskRow | null) => void;
    const done = new Promise<TaskRow | null>((resolve) => (finish = resolve));
    const pending: Pending = { finish: () => undefined, polling: false };
    const deadline = setTimeout(() => pending.finish(), ms);
    pending.finish = (task) => {
      clearTimeout(deadline);
      if (this.pending.get(id) === pending) this.pending.delete(id);
      finish(task ?? null);
    };
    this.pending.set(id, pending);
    const viaReply = direct && this.channel !== null;
    if (!viaReply) this.poll(id, pending);
    return { done, viaReply, cancel: () => pending.finish() };
  }

  /** Ends every wait now (graceful stop): their requests answer 202 with the id instead of being cut. */
  releaseAll(): void {
    for (const pending of [...this.pending.values()]) pending.finish();
  }

  private onReply(message: ConsumeMessage): void {
    let reply;
    try {
      reply = taskReply.parse(JSON.parse(message.content.toString('utf8')));
    } catch {
      this.log.warn('ignoring an undecodable task reply');
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (FINAL_STATES.has(reply.state)) pending.finish(reply.task);
    // Back in the queue for a retry, which comes through a timer without replyTo: poll.
    else this.poll(reply.id, pending);
  }

  private poll(id: string, pending: Pending): void {
    if (pending.polling) return;
    pending.polling = true;
    const check = async () => {
      if (this.pending.get(id) !== pending) return;
      const task = await findTask(this.db, id).catch(() => null);
      if (task && FINAL_STATES.has(task.state)) pending.finish(task);
      else setTimeout(() => void check(), POLL_INTERVAL_MS);
    };
    setTimeout(() => void check(), POLL_INTERVAL_MS);
  }
}
