// Sends one webhook: POST url with {"id": ...} (or the timer's own method, headers and JSON body), the timer id also as an idempotency key header, a
// timeout, a keep-alive connection pool per callback origin, and the answer's headers and the first
// bytes of its body kept (as much as the caller asks: an attempt's record, or a callback's), the rest
// read up to a limit and dropped. Redirects are not followed. Only addresses the AddressPolicy allows are
// connected to: IP literals are checked here, names after every DNS resolution (guarded-lookup.ts).
// undici's dispatch() with a handler of our own, rather than its request() with an AbortSignal or
// node-fetch: measured here, request() with a signal spent about 2.5 times the client CPU per webhook
// (the signal's event listeners and the response stream), node-fetch about three times more again,
// and the trigger is the costliest hop of the pipeline (see BENCHMARKS.md).
import { Agent, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressPolicy } from '../common/webhooks/callback-address.js';
import { guardedLookup, REFUSED_ADDRESS } from './guarded-lookup.js';
import { parseRetryAfter } from './retry-policy.js';
import type { WebhookRequest } from '../common/webhooks/webhook-shape.js';
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
  /** the receiver's answer, when one came: its headers and the first bytes of its body */
  answer?: Answer;
}

/** A receiver's answer as read: `body` holds up to the bytes asked for, `bytes` counts all read. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  bytes: number;
}

/** Header values as one string each (a repeated header's values joined, as HTTP allows). */
function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
  return record;
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
 * The deliveries under way, so that a stopping trigger cuts them all at once: one set of cut functions
 * rather than an AbortSignal per webhook (their listeners are a large share of a webhook's CPU).
 */
export class Interrupts {
  private readonly live = new Set<() => void>();
  private stopped = false;

  /** Registers a delivery's cut (called at once if already stopping); returns its unregister. */
  add(cut: () => void): () => void {
    if (this.stopped) cut();
    else this.live.add(cut);
    return () => this.live.delete(cut);
  }

  abortAll(): void {
    this.stopped = true;
    for (const cut of this.live) cut();
    this.live.clear();
  }
}

type CutReason = 'timeout' | 'interrupt';

/** The attempt's cut-short state, shared by its sends: why it was cut, and how to cut the send under way. */
interface Cut {
  reason: CutReason | null;
  current: ((reason: CutReason) => void) | null;
}

/**
 * One delivery attempt, resent once on a stale pooled connection; both sends share one timeout.
 * `interrupts` cuts it short when the trigger shuts down; `keepBytes` of the answer's body are kept.
 */
export async function deliverWebhook(webhook: WebhookRequest, timerId: string, agents: Agents, timeoutMs: number, interrupts?: Interrupts, keepBytes = 0): Promise<DeliveryResult> {
  const url = new URL(webhook.url);
  const refusal = agents.policy.refusalOfHost(url.hostname);
  if (refusal) return { delivered: false, status: null, error: `refused: ${refusal}`, retryAfterMs: null, refused: true };
  const cut: Cut = { reason: null, current: null };
  const cutShort = (reason: CutReason) => {
    if (cut.reason) return;
    cut.reason = reason;
    cut.current?.(reason);
  };
  const timeout = setTimeout(() => cutShort('timeout'), timeoutMs);
  const unregister = interrupts?.add(() => cutShort('interrupt'));
  try {
    const first = await send(url, webhook, timerId, agents, cut, timeoutMs, keepBytes);
    if (first.delivered || !first.error || !STALE_CONNECTION_CODES.has(first.error) || cut.reason) return first;
    return await send(url, webhook, timerId, agents, cut, timeoutMs, keepBytes);
  } finally {
    clearTimeout(timeout);
    unregister?.();
  }
}

function cutResult(reason: CutReason, timeoutMs: number): DeliveryResult {
  if (reason === 'interrupt') return { delivered: false, status: null, error: 'interrupted: the trigger stopped', retryAfterMs: null, refused: false, interrupted: true };
  return { delivered: false, status: null, error: `timed out after ${timeoutMs} ms`, retryAfterMs: null, refused: false };
}

function errorResult(failure: Error): DeliveryResult {
  const err = failure as Error & { code?: string; cause?: Error & { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (code === REFUSED_ADDRESS) return { delivered: false, status: null, error: `refused: ${(err.cause ?? err).message}`, retryAfterMs: null, refused: true };
  return { delivered: false, status: null, error: code ?? err.message, retryAfterMs: null, refused: false };
}

function answerResult(answer: Answer, retryAfter: string | string[] | undefined): DeliveryResult {
  const { status } = answer;
  const delivered = status >= 200 && status < 300;
  const retryAfterMs = delivered ? null : parseRetryAfter(retryAfter, Date.now());
  return { delivered, status, error: delivered ? null : `HTTP ${status}`, retryAfterMs, refused: false, answer };
}

/** One send: resolves with its result (never rejects), at the latest when the attempt is cut short. */
function send(url: URL, webhook: WebhookRequest, timerId: string, agents: Agents, cut: Cut, timeoutMs: number, keepBytes: number): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    let status = 0;
    let retryAfter: string | string[] | undefined;
    let headers: IncomingHttpHeaders = {};
    let bytes = 0;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    const answer = (): Answer => ({ status, headers: headerRecord(headers), body: kept.length === 1 ? kept[0]! : Buffer.concat(kept), bytes });
    const finish = (result: DeliveryResult) => {
      if (settled) return;
      settled = true;
      cut.current = null;
      resolve(result);
    };
    cut.current = (reason) => {
      // A request still queued for a connection is aborted when it reaches one (onRequestStart).
      controller?.abort(new Error(reason === 'timeout' ? 'webhook timed out' : 'trigger stopping'));
      finish(cutResult(reason, timeoutMs));
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (cut.reason || settled) started.abort(new Error('webhook cut short'));
      },
      onResponseStart(_controller, statusCode, answerHeaders: IncomingHttpHeaders) {
        if (statusCode < 200) return; // an informational answer; the real one follows
        status = statusCode;
        headers = answerHeaders;
        retryAfter = answerHeaders['retry-after'];
      },
      onResponseData(started, chunk) {
        // Keep the bytes asked for, read up to the limit and drop the rest; a larger body closes the
        // connection instead of being read.
        if (keptBytes < keepBytes) {
          const piece = chunk.length <= keepBytes - keptBytes ? chunk : chunk.subarray(0, keepBytes - keptBytes);
          kept.push(Buffer.from(piece));
          keptBytes += piece.length;
        }
        bytes += chunk.length;
        if (bytes <= MAX_RESPONSE_BYTES) return;
        finish(answerResult(answer(), retryAfter));
        started.abort(new Error('webhook answer too large'));
      },
      onResponseEnd() {
        finish(answerResult(answer(), retryAfter));
      },
      onResponseError(_controller, err) {
        finish(cut.reason ? cutResult(cut.reason, timeoutMs) : errorResult(err));
      },
    };
    try {
      agents.agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
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
        },
        handler,
      );
    } catch (err) {
      finish(errorResult(err as Error));
    }
  });
}
