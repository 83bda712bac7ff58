// The load generator's HTTP client: one undici keep-alive pool per API, the seed-001 create call
// ({seconds, url} -> 201 {id, fire_at}) and the read call, with the request latency of each.
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
    const res = await this.pool.request({
      method: 'POST',
      path: '/timer',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds, url }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) return null;
    const body = JSON.parse(text) as { id: string; fire_at: string };
    return { id: body.id, fireAt: Date.parse(body.fire_at), at: Date.now() };
  }

  /** GET /timer/{id}; resolves with the status code. */
  async read(id: string): Promise<number> {
    const res = await this.pool.request({ method: 'GET', path: `/timer/${id}` });
    await res.body.dump();
    return res.statusCode;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
