// Sends one webhook: POST url with {"id": ...}, the timer id also as an idempotency key header, a
// timeout, keep-alive connections per host, and the response body read up to a small limit and dropped.
import fetch from 'node-fetch';
import http from 'node:http';
import https from 'node:https';

export const USER_AGENT = 'timer-service/0.1 (+webhook)';
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface DeliveryResult {
  delivered: boolean;
  status: number | null;
  error: string | null;
}

export function createAgents(maxSocketsPerHost: number) {
  const options = { keepAlive: true, maxSockets: maxSocketsPerHost, maxFreeSockets: maxSocketsPerHost, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(options);
  const httpsAgent = new https.Agent(options);
  return {
    pick: (url: URL) => (url.protocol === 'https:' ? httpsAgent : httpAgent),
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

export type Agents = ReturnType<typeof createAgents>;

// A pooled keep-alive connection that the receiver closed while idle fails the next request on it with
// one of these; the request is sent once more on a fresh connection (delivery is at-least-once anyway).
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** One delivery attempt, resent once on a stale pooled connection; both sends share one timeout. */
export async function deliverWebhook(url: string, timerId: string, agents: Agents, timeoutMs: number): Promise<DeliveryResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  const first = await send(url, timerId, agents, signal, timeoutMs);
  if (first.delivered || !first.error || !STALE_CONNECTION_CODES.has(first.error)) return first;
  return send(url, timerId, agents, signal, timeoutMs);
}

async function send(url: string, timerId: string, agents: Agents, signal: AbortSignal, timeoutMs: number): Promise<DeliveryResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ id: timerId }),
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'idempotency-key': timerId,
        'x-timer-id': timerId,
      },
      agent: agents.pick,
      redirect: 'manual',
      signal,
    });
    await drain(response.body, MAX_RESPONSE_BYTES);
    const delivered = response.status >= 200 && response.status < 300;
    return { delivered, status: response.status, error: delivered ? null : `HTTP ${response.status}` };
  } catch (err) {
    const error = err as Error & { code?: string };
    const reason = signal.aborted ? `timed out after ${timeoutMs} ms` : (error.code ?? error.message);
    return { delivered: false, status: null, error: reason };
  }
}

async function drain(body: NodeJS.ReadableStream | null, limit: number): Promise<void> {
  if (!body) return;
  let read = 0;
  for await (const chunk of body) {
    read += (chunk as Buffer).length;
    if (read > limit) {
      (body as unknown as { destroy(): void }).destroy();
      return;
    }
  }
}
