// The anchors' webhook call: POST url with {"id": ...} over keep-alive connections (256 per host, as
// the timer service's trigger), reading and dropping the answer. Rejects on a non-2xx answer. A run of
// a recurring schedule carries what the timer service's runs carry: the headers X-Schedule-Id and
// X-Schedule-Instant, and {"id", "schedule_id", "instant"} as the body.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });

/** The schedule and the instant (epoch ms) a run was scheduled for. */
export interface ScheduleRun {
  scheduleId: string;
  instant: number;
}

export function postWebhook(url: string, id: string, run?: ScheduleRun, timeoutMs = 10_000): Promise<void> {
  const instant = run ? new Date(run.instant).toISOString() : '';
  const body = JSON.stringify(run ? { id, schedule_id: run.scheduleId, instant } : { id });
  const scheduleHeaders = run ? { 'x-schedule-id': run.scheduleId, 'x-schedule-instant': instant } : {};
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': id, ...scheduleHeaders },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('webhook timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export function closeWebhookAgent(): void {
  agent.destroy();
}
