// The webserver's scrape-time gauges: the depth of the queues it feeds and of the dead-letter queues,
// and tasks by state.
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';
import { metrics, onScrape, watchQueues } from '../../common/observability/metrics.js';
import { TASK_STATES, tasksByState } from '../../common/store/tasks.js';

export function watchWebserverGauges(amqp: AmqpClient, mainDb: Pool): void {
  watchQueues(amqp, { incoming_timers: amqp.names.incomingTimers, incoming_logs: amqp.names.incomingLogs, tasks: amqp.names.tasks });
  // The dead-letter queues: anything in one is a defect, so their depth is an alert's input.
  watchQueues(amqp, {
    'incoming_timers.dead': amqp.names.incomingTimersDead,
    'timers_to_fire.dead': amqp.names.timersToFireDead,
    'incoming_logs.dead': amqp.names.incomingLogsDead,
    'tasks.dead': amqp.names.tasksDead,
  });
  onScrape(async () => {
    // One GROUP BY over the tasks table per scrape of each webserver: fine at a 15 s scrape interval.
    const counts = await tasksByState(mainDb);
    for (const state of TASK_STATES) metrics.tasks.set({ state }, counts[state]);
  });
}
