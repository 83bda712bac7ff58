// The timer service's recurring schedules for the bench: POST /schedules {"every": "10s", "url",
// "start_at"} through nginx, and DELETE /schedules/{id} for each when the scenario ends. Each run is a
// timer; its webhook carries X-Schedule-Id and X-Schedule-Instant. Runs stored twice (two timers for
// one schedule and instant) are counted in the main database.
import { Pool as HttpPool } from 'undici';
import pg from 'pg';
import type { ScheduleSystem } from './system.js';

const REMOVE_CONCURRENCY = 64;

const STORED_TWICE = `SELECT count(*)::int AS n FROM (
  SELECT 1 FROM timers WHERE schedule_id = ANY($1::uuid[]) GROUP BY schedule_id, schedule_instant HAVING count(*) > 1) twice`;

export function timerServiceSchedules(apiUrl: string, mainDbUrl: string, connections: number): ScheduleSystem {
  let http: HttpPool | null = null;
  const ids: string[] = [];
  return {
    cadence: 'every 10 s',
    periodMs: 10_000,
    onMinutes: false,
    async open() {
      http = new HttpPool(apiUrl, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
    },
    async create(i, startAt, url) {
      const body = JSON.stringify({ every: '10s', url, start_at: new Date(startAt).toISOString(), name: `bench-${i}` });
      const res = await http!.request({ method: 'POST', path: '/schedules', headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`POST /schedules answered ${res.statusCode}: ${text.slice(0, 200)}`);
      const id = (JSON.parse(text) as { id: string }).id;
      ids.push(id);
      return id;
    },
    async storedTwice(scheduleIds) {
      const db = new pg.Client({ connectionString: mainDbUrl });
      await db.connect();
      try {
        return (await db.query<{ n: number }>(STORED_TWICE, [scheduleIds])).rows[0]!.n;
      } finally {
        await db.end();
      }
    },
    async close() {
      const open = http;
      if (!open) return;
      const remove = async (id: string) => {
        const res = await open.request({ method: 'DELETE', path: `/schedules/${id}` });
        await res.body.dump();
      };
      for (let at = 0; at < ids.length; at += REMOVE_CONCURRENCY) await Promise.all(ids.slice(at, at + REMOVE_CONCURRENCY).map(remove));
      ids.length = 0;
      await open.close();
      http = null;
    },
  };
}
