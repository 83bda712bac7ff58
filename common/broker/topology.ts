// The broker topology, declared by every process after every (re)connect; declarations are idempotent.
// Work queues are durable and dead-letter rejected messages, with the reason in x-death, to "<queue>.dead".
import amqplib, { type Channel } from 'amqplib';
import type { QueueNames } from './queue-names.js';

export async function declareTopology(channel: Channel, names: QueueNames): Promise<void> {
  await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true });
  const pairs: Array<[string, string]> = [
    [names.incomingTimers, names.incomingTimersDead],
    [names.timersToFire, names.timersToFireDead],
    [names.incomingLogs, names.incomingLogsDead],
    [names.tasks, names.tasksDead],
  ];
  for (const [queue, dead] of pairs) {
    await channel.assertQueue(dead, { durable: true });
    await channel.bindQueue(dead, names.deadLetterExchange, queue);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.deadLetterExchange, 'x-dead-letter-routing-key': queue },
    });
  }
}

/** Deletes every queue and the exchange of a topology (tests and the bench clean up after themselves). */
export async function deleteTopology(url: string, names: QueueNames): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of [names.incomingTimers, names.timersToFire, names.incomingTimersDead, names.timersToFireDead, names.incomingLogs, names.incomingLogsDead, names.tasks, names.tasksDead]) {
      await channel.deleteQueue(queue);
    }
    await channel.deleteExchange(names.deadLetterExchange);
  } finally {
    await connection.close();
  }
}
