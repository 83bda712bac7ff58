// The answer about one timer (GET /timer/{id} and every route that returns a timer), in its own file so
// that the description's parts (webserver/openapi/openapi-dashboard.ts) can use it without an import cycle.
import { z } from 'zod';
import { TIMER_STATES } from '../../common/store/timers.js';
import { WEBHOOK_METHODS } from '../../common/webhooks/webhook-shape.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

export const timerAnswer = z.object({
  id: z.uuid(),
  time_left: z.number().int().min(0).describe('0 once due'),
  url: z.string(),
  fire_at: isoTime,
  created_at: isoTime,
  state: z
    .enum(TIMER_STATES)
    .describe(
      'scheduled -> firing -> delivered | retrying (-> firing ...) | failed; replay: failed -> retrying; held: waiting on its flow-control key (or a paused host or all deliveries), in due order',
    ),
  attempts: z.number().int().min(0).describe('attempts of the current series'),
  last_attempt_at: isoTime.nullable(),
  last_status: z.number().int().nullable().describe('HTTP status of the last attempt'),
  last_error: z.string().nullable(),
  delivered_at: isoTime.nullable(),
  next_attempt_at: isoTime.nullable().describe('while retrying: when the next attempt is due'),
  max_attempts: z.number().int().min(1),
  replays: z.number().int().min(0).describe('how many times the timer was replayed after failing'),
  attempt_history: z.array(
    z.object({
      attempt: z.number().int().min(1),
      series: z.number().int().min(1).describe('1, then one more per replay'),
      started_at: isoTime,
      duration_ms: z.number().int().min(0),
      status: z.number().int().nullable(),
      error: z.string().nullable(),
    }),
  ),
  method: z.enum(WEBHOOK_METHODS),
  headers: z.record(z.string(), z.string()).describe("the timer's own headers, sent besides the service's"),
  body: z.json().describe('the JSON body sent: {"id": ...} (a schedule\'s run: {"id", "schedule_id", "instant"}) unless the timer set its own'),
  schedule_id: z.uuid().nullable().describe('the schedule this timer is a run of; null for a one-off timer'),
  schedule_instant: isoTime.nullable().describe('the scheduled instant the run is for (fire_at adds the jitter)'),
  flow_control: z.object({ key: z.string() }).nullable().describe("the flow-control key its deliveries share (its owner's: GET /flow-control/{key}); null: none"),
});
