// Every queue and exchange name in one place, prefixed so several stacks can share one broker.
export interface QueueNames {
  incomingTimers: string;
  timersToFire: string;
  deadLetterExchange: string;
  incomingTimersDead: string;
  timersToFireDead: string;
  incomingLogs: string;
  incomingLogsDead: string;
  /** background tasks for workers, and the ones that kept crashing their worker */
  tasks: string;
  tasksDead: string;
}

export function queueNames(prefix: string): QueueNames {
  return {
    incomingTimers: `${prefix}incoming_timers`,
    timersToFire: `${prefix}timers_to_fire`,
    deadLetterExchange: `${prefix}dead_letter`,
    incomingTimersDead: `${prefix}incoming_timers.dead`,
    timersToFireDead: `${prefix}timers_to_fire.dead`,
    incomingLogs: `${prefix}incoming_logs`,
    incomingLogsDead: `${prefix}incoming_logs.dead`,
    tasks: `${prefix}tasks`,
    tasksDead: `${prefix}tasks.dead`,
  };
}

/** Every queue of the topology (the dead-letter exchange is not one), in flow order. */
export function queueList(names: QueueNames): string[] {
  return [names.incomingTimers, names.timersToFire, names.tasks, names.incomingLogs, names.incomingTimersDead, names.timersToFireDead, names.tasksDead, names.incomingLogsDead];
}
