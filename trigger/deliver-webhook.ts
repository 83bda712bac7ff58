// Sends one webhook: POST url with {"id": ...} (or the timer's own method, headers and JSON body), the timer id also as an idempotency key header, a
// timeout, a keep-alive connection pool per callback origin, and the response body read up to a small
// limit and dropped. Redirects are not followed. Only addresses the AddressPolicy allows are
// connected to: IP literals are checked here, names after every DNS resolution (guarded-lookup.ts). undici rather than node-fetch: measured here, node-fetch spent about three times
// the CPU per webhook, and the trigger is the costliest hop of the pipeline (see BENCHMARKS.md).
import { Agent, request } from 'undici';
import type { AddressPolicy } from '../common/callback-address.js';
import { guardedLookup, REFUSED_ADDRESS } from './guarded-lookup.js';
import { parseRetryAfter } from './retry-policy.js';
import type { WebhookRequest } from '../common/webhook-shape.js';
import type { WebhookSigner } from './sign-webhook.js';

export const USER_AGENT = 'timer-service/0.1 (+webhook)';
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface DeliveryResult {
  delivered: boolean;
  status: number | null;
  error: string | null;
  /** the receiver's Retry-After in ms from now, when it sent one */
  retryAfterMs: number | null;
  /** the address is refused by policy: trying again cannot help */
  refused: boolean;
  /** cut short because the trigger is stopping: not the receiver's fault */
  interrupted?: boolean;
}

/** `sign` adds the Standard Webhooks headers to every request (trigger/sign-webhook.ts). */
export function createAgents(maxSocketsPerHost: number, policy: AddressPolicy, sign: WebhookSigner = () => ({})) {
  const agent = new Agent({
    connections: maxSocketsPerHost,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    connect: { lookup: guardedLookup(policy) },
  });
  return { agent, policy, sign, destroy: () => agent.destroy() };
}

export type Agents = ReturnType<typeof createAgents>;

// A pooled keep-alive connection that the receiver closed while idle fails the next request on it with
// one of these; the request is sent once more on a fresh connection (delivery is at-least-once anyway).
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * The deliveries under way, so that a stopping trigger cuts them all at once. One set rather than an
 * AbortSignal.any (and its weak references) per webhook: the trigger is the costliest hop per timer.
 */
export class Interrupts {
  private readonly live = new Set<AbortController>();
  private stopped = false;

  /** Registers a delivery's controller (aborted at once if already stopping); returns its unregister. */
  add(controller: AbortController): () => void {
    if (this.stopped) controller.abort();
    else this.live.add(controller);
    return () => this.live.delete(controller);
  }

  abortAll(): void {
    this.stopped = true;
    for (const controller of this.live) controller.abort();
    this.live.clear();
  }
}

/**
 * One delivery attempt, resent once on a stale pooled connection; both sends share one timeout.
 * `interrupts` cuts it short when the trigger shuts down.
 */
export async function deliverWebhook(webhook: WebhookRequest, timerId: string, agents: Agents, timeoutMs: number, interrupts?: Interrupts): Promise<DeliveryResult> {
  const refusal = agents.policy.refusalOfHost(new URL(webhook.url).hostname);
  if (refusal) return { delivered: false, status: null, error: `refused: ${refusal}`, retryAfterMs: null, refused: true };
  const controller = new AbortController();
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const unregister = interrupts?.add(controller);
  try {
    const { signal } = controller;
    const first = await send(webhook, timerId, agents, signal, timeoutMs);
    const result = first.delivered || !first.error || !STALE_CONNECTION_CODES.has(first.error) ? first : await send(webhook, timerId, agents, signal, timeoutMs);
    if (!result.delivered && signal.aborted && !timedOut) return { ...result, error: 'interrupted: the trigger stopped', interrupted: true };
    return result;
  } finally {
    clearTimeout(timeout);
    unregister?.();
  }
}

async function send(webhook: WebhookRequest, timerId: string, agents: Agents, signal: AbortSignal, timeoutMs: number): Promise<DeliveryResult> {
  try {
    const response = await request(webhook.url, {
      method: webhook.method,
      body: webhook.body,
      headers: {
        // The timer's own headers first: the service's below cannot be overridden (and are refused at creation).
        ...webhook.headers,
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'idempotency-key': timerId,
        'x-timer-id': timerId,
        // Signed at send time over the exact bytes sent: a resend gets a fresh timestamp.
        ...agents.sign(timerId, webhook.body),
      },
      dispatcher: agents.agent,
      signal,
    });
    // Read up to the limit and drop; a larger body closes the connection instead of being read.
    await response.body.dump({ limit: MAX_RESPONSE_BYTES });
    const status = response.statusCode;
    const delivered = status >= 200 && status < 300;
    const retryAfterMs = delivered ? null : parseRetryAfter(response.headers['retry-after'], Date.now());
    return { delivered, status, error: delivered ? null : `HTTP ${status}`, retryAfterMs, refused: false };
  } catch (err) {
    const error = err as Error & { code?: string; cause?: Error & { code?: string } };
    const code = error.code ?? error.cause?.code;
    if (code === REFUSED_ADDRESS) return { delivered: false, status: null, error: `refused: ${(error.cause ?? error).message}`, retryAfterMs: null, refused: true };
    const reason = signal.aborted ? `timed out after ${timeoutMs} ms` : (code ?? error.message);
    return { delivered: false, status: null, error: reason, retryAfterMs: null, refused: false };
  }
}
