// The migrations of each kind of database, listed statically so that they load the same way from
// TypeScript sources (tsx, jest) and from the compiled dist/ of the Docker images.
import type { Knex } from 'knex';
import * as createTimers from './main/0001_create_timers.js';
import * as createTasks from './main/0002_create_tasks.js';
import * as createLogRecords from './main/0003_create_log_records.js';
import * as timerDeliveryAttempts from './main/0004_timer_delivery_attempts.js';
import * as createUsers from './main/0005_create_users.js';
import * as timerRequestId from './main/0006_timer_request_id.js';
import * as timerRequestShape from './main/0007_timer_request_shape.js';
import * as createIdempotencyKeys from './main/0008_create_idempotency_keys.js';
import * as createProcessHeartbeats from './main/0009_create_process_heartbeats.js';
import * as tasksStateIndex from './main/0010_tasks_state_index.js';
import * as dropRedundantTasksIndex from './main/0011_drop_redundant_tasks_index.js';
import * as userTokenGeneration from './main/0012_user_token_generation.js';
import * as createLoginThrottles from './main/0013_create_login_throttles.js';
import * as createSchedules from './main/0014_create_schedules.js';
import * as createFlowControl from './main/0015_create_flow_control.js';
import * as taskTypePauses from './main/0016_task_type_pauses.js';
import * as timerCallbacks from './main/0017_timer_callbacks.js';
import * as taskCallbacks from './main/0018_task_callbacks.js';
import * as taskFlowKey from './main/0019_task_flow_key.js';
import * as lifecyclePartitions from './main/0020_lifecycle_partitions.js';
import * as createTimersToFire from './shard/0001_create_timers_to_fire.js';
import * as timersToFireFillfactor from './shard/0002_timers_to_fire_fillfactor.js';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

function staticSource(migrations: Record<string, Migration>): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => Object.keys(migrations).sort(),
    getMigrationName: (name) => name,
    getMigration: async (name) => migrations[name] as Migration,
  };
}

export const mainMigrations = staticSource({
  '0001_create_timers': createTimers,
  '0002_create_tasks': createTasks,
  '0003_create_log_records': createLogRecords,
  '0004_timer_delivery_attempts': timerDeliveryAttempts,
  '0005_create_users': createUsers,
  '0006_timer_request_id': timerRequestId,
  '0007_timer_request_shape': timerRequestShape,
  '0008_create_idempotency_keys': createIdempotencyKeys,
  '0009_create_process_heartbeats': createProcessHeartbeats,
  '0010_tasks_state_index': tasksStateIndex,
  '0011_drop_redundant_tasks_index': dropRedundantTasksIndex,
  '0012_user_token_generation': userTokenGeneration,
  '0013_create_login_throttles': createLoginThrottles,
  '0014_create_schedules': createSchedules,
  '0015_create_flow_control': createFlowControl,
  '0016_task_type_pauses': taskTypePauses,
  '0017_timer_callbacks': timerCallbacks,
  '0018_task_callbacks': taskCallbacks,
  '0019_task_flow_key': taskFlowKey,
  '0020_lifecycle_partitions': lifecyclePartitions,
});
export const shardMigrations = staticSource({
  '0001_create_timers_to_fire': createTimersToFire,
  '0002_timers_to_fire_fillfactor': timersToFireFillfactor,
});
