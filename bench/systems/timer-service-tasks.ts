// The timer service's tasks for the bench: POST /tasks {"type": "noop"} and POST /sync/sum through nginx,
// with finished no-op tasks counted in the main database.
import { Pool as HttpPool } from 'undici';
import pg from 'pg';
import type { TaskSystem } from './system.js';

export function timerServiceTasks(apiUrl: string, mainDbUrl: string, connections: number): TaskSystem & { close(): Promise<void> } {
  const http = new HttpPool(apiUrl, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const db = new pg.Pool({ connectionString: mainDbUrl, max: 2 });
  const post = async (path: string, body: string) => {
    const res = await http.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
    return { status: res.statusCode, text: await res.body.text() };
  };
  return {
    roundTripPath: 'POST /sync/sum through nginx; the webserver awaits the worker over direct reply-to',
    async submitNoop() {
      return (await post('/tasks', '{"type":"noop"}')).status === 202;
    },
    async finishedNoops() {
      const result = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE type = 'noop' AND state = 'succeeded'`);
      return result.rows[0]!.n;
    },
    async roundTrip() {
      const res = await post('/sync/sum', '[1, 2]');
      return res.status === 200 && res.text === '3';
    },
    async close() {
      await Promise.all([http.close(), db.end()]);
    },
  };
}
