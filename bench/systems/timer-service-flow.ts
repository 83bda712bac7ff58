// The timer service's flow control for the bench: timers due at one instant created through nginx with
// POST /timers (1,000 a request), each item naming the limited key with its limits
// ({"flow_control": {"key", "rate", "period_s", "parallelism"}}), or the free key, named without
// limits. Every trigger together keeps the limited key's rate and parallelism; the free key limits
// nothing, but its timers pass the same gate.
import { Pool as HttpPool } from 'undici';
import type { FlowLimit, FlowSystem } from './system.js';

const BATCH = 1_000;
export const LIMITED_KEY = 'bench-flow-limited';
export const FREE_KEY = 'bench-flow-free';

interface BatchAnswer {
  results: Array<{ status: number; id?: string; message?: string }>;
}

export function timerServiceFlow(apiUrl: string, triggers: number): FlowSystem {
  let http: HttpPool | null = null;
  let flowControl: Record<string, unknown> = {};
  return {
    limiter: `flow_control on each timer, shared by ${triggers} triggers`,
    async open(limit: FlowLimit) {
      http = new HttpPool(apiUrl, { connections: 4, pipelining: 1, keepAliveTimeout: 60_000 });
      flowControl = { key: LIMITED_KEY, rate: limit.rate, period_s: limit.periodS, parallelism: limit.parallelism };
    },
    async create(count, dueAt, url, limited) {
      const item = { fire_at: new Date(dueAt).toISOString(), url, flow_control: limited ? flowControl : { key: FREE_KEY } };
      const ids: string[] = [];
      for (let at = 0; at < count; at += BATCH) {
        const body = JSON.stringify({ timers: Array.from({ length: Math.min(BATCH, count - at) }, () => item) });
        const res = await http!.request({ method: 'POST', path: '/timers', headers: { 'content-type': 'application/json' }, body });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`POST /timers answered ${res.statusCode}: ${text.slice(0, 200)}`);
        for (const result of (JSON.parse(text) as BatchAnswer).results) {
          if (result.status !== 201 || !result.id) throw new Error(`POST /timers refused a timer (${result.status}): ${result.message ?? text.slice(0, 200)}`);
          ids.push(result.id);
        }
      }
      return ids;
    },
    async close() {
      await http?.close();
      http = null;
    },
  };
}
