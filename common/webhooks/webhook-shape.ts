// How a timer may shape its webhook request: the method, a few headers of its own and a JSON body.
// Headers that belong to the connection (hop-by-hop) or that the service sets itself are refused.
import { z } from 'zod';

export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

export const MAX_HEADERS = 20;
export const MAX_HEADER_VALUE_LENGTH = 1_024;
export const MAX_BODY_BYTES = 16 * 1_024;

// Hop-by-hop headers (RFC 9110 7.6.1) and the ones the trigger sets for every webhook.
export const RESERVED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'expect',
  'user-agent',
  'idempotency-key',
  'x-timer-id',
  'x-schedule-id',
  'x-schedule-instant',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
// Visible ASCII, spaces and tabs: no CR, LF or NUL, so a value cannot smuggle another header.
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

export const webhookHeaders = z.record(z.string(), z.string({ error: 'must be a string' })).superRefine((headers, ctx) => {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers` });
  const seen = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    const value = headers[name]!;
    if (!TOKEN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name' });
    else if (RESERVED_HEADERS.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is set by the service or belongs to the connection; it cannot be set' });
    else if (seen.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is given twice (header names are case-insensitive)' });
    if (value.length > MAX_HEADER_VALUE_LENGTH) ctx.addIssue({ code: 'custom', path: [name], message: `must be at most ${MAX_HEADER_VALUE_LENGTH} characters` });
    else if (!FIELD_VALUE.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be printable ASCII without line breaks' });
    seen.add(lower);
  }
});

/** Any JSON value whose encoding is at most MAX_BODY_BYTES. */
export const webhookBody = z.json().refine((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_BODY_BYTES, {
  message: `must be at most ${MAX_BODY_BYTES} bytes as JSON`,
});

export const webhookShapeFields = {
  method: z.enum(WEBHOOK_METHODS, { error: `must be one of ${WEBHOOK_METHODS.join(', ')}` }).optional(),
  headers: webhookHeaders.optional(),
  body: webhookBody.optional(),
};

/** The request a trigger sends: the plain POST {"id"} unless the timer shaped it. */
export interface WebhookRequest {
  url: string;
  method: WebhookMethod;
  headers: Record<string, string>;
  body: string;
}

/** The schedule a timer is a run of, and the instant it runs for. */
export interface RunOf {
  scheduleId: string;
  instant: number;
}

/**
 * The request of a timer; a schedule's run also says which schedule and instant it is for, in the
 * X-Schedule-Id and X-Schedule-Instant headers and in the default body.
 */
export function webhookRequest(
  timerId: string,
  url: string,
  shape: { method?: string | null; headers?: Record<string, string> | null; body?: string | null },
  run: RunOf | null = null,
): WebhookRequest {
  const instant = run ? new Date(run.instant).toISOString() : null;
  return {
    url,
    method: (shape.method as WebhookMethod | null | undefined) ?? 'POST',
    headers: run ? { ...shape.headers, 'X-Schedule-Id': run.scheduleId, 'X-Schedule-Instant': instant! } : (shape.headers ?? {}),
    body: shape.body ?? JSON.stringify(run ? { id: timerId, schedule_id: run.scheduleId, instant } : { id: timerId }),
  };
}
