// The load generator's HTTP client: one undici keep-alive pool per API, the plain create call
// ({seconds, url} -> 201 {id, fire_at}), the batch create call, the read call, and the access-log calls.
import { Pool } from 'undici';

export interface Created {
  id: string;
  fireAt: number;
  /** when the 201 arrived (epoch ms) */
  at: number;
}

export class ApiClient {
  private readonly pool: Pool;

  constructor(origin: string, connections: number) {
    this.pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 120_000 });
  }

  /** POST /timer; resolves with the timer, or null for any answer other than 201. */
  async create(seconds: number, url: string): Promise<Created | null> {
    const answer = await this.createOrStatus(seconds, url);
    return typeof answer === 'number' ? null : answer;
  }

  /** POST /timer; resolves with the timer, or with the status of any answer other than 201. */
  async createOrStatus(seconds: number, url: string): Promise<Created | number> {
    const res = await this.pool.request({
      method: 'POST',
      path: '/timer',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds, url }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) return res.statusCode;
    const body = JSON.parse(text) as { id: string; fire_at: string };
    return { id: body.id, fireAt: Date.parse(body.fire_at), at: Date.now() };
  }

  /** POST /timers with `count` timers of the same delay and URL; resolves with how many were accepted. */
  async createBatch(seconds: number, url: string, count: number): Promise<number> {
    const res = await this.pool.request({
      method: 'POST',
      path: '/timers',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timers: Array.from({ length: count }, () => ({ seconds, url })) }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`POST /timers answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return (JSON.parse(text) as { accepted: number }).accepted;
  }

  /** GET /timer/{id}; resolves with the status code. */
  async read(id: string): Promise<number> {
    const res = await this.pool.request({ method: 'GET', path: `/timer/${id}` });
    await res.body.dump();
    return res.statusCode;
  }

  /** POST /api/data (the access-log store); resolves with the record id, or null for any answer other than 201. */
  async postLog(line: string): Promise<string | null> {
    const res = await this.pool.request({ method: 'POST', path: '/api/data', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ log: line }) });
    const text = await res.body.text();
    return res.statusCode === 201 ? (JSON.parse(text) as { id: string }).id : null;
  }

  /** GET /api/data after a record (from the start when null); the page's record ids. */
  async readLogs(afterId: string | null, limit: number): Promise<string[]> {
    const res = await this.pool.request({ method: 'GET', path: `/api/data?limit=${limit}${afterId ? `&id=${afterId}` : ''}` });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET /api/data answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return (JSON.parse(text) as Array<{ id: string }>).map((record) => record.id);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
