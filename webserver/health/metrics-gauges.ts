// The webserver's scrape-time gauges: the depth of the queues it feeds and of the dead-letter queues,
// and tasks by state (every pending task; the finished ones created in the last hour).
import type { AmqpClient } from '../../common/broker/amqp.js';
import type { Pool } from '../../common/db/pool.js';
import { metrics, onScrape, watchQueues } from '../../common/observability/metrics.js';
import { TASK_STATES, countByState } from '../../common/store/tasks.js';
import { FINISHED_WINDOW_MS } from '../../common/store/count-within.js';

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
    // Index ranges only (common/store/tasks.ts): the pending tasks, and the finished ones of the last 24
    // hours, whatever retention keeps. A count past its timeout leaves the gauge as it was.
    const counts = await countByState(mainDb, Date.now() - FINISHED_WINDOW_MS);
    if (counts) for (const state of TASK_STATES) metrics.tasks.set({ state }, counts[state]);
  });
}
