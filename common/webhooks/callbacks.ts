// Callbacks: the webhooks that tell a timer's or a task's outcome, so that nobody has to poll for it.
// A timer may name callback_url (called after a successful delivery) and failure_callback_url (called
// once it has failed for good); a task may name result_url (either outcome), callback_url and
// failure_callback_url. Each callback is itself a timer of the same owner (callback_of, callback_outcome),
// delivered, retried, signed and limited like any webhook. Its id, which is also its idempotency key
// (Idempotency-Key, webhook-id), is derived from the parent, the parent's attempt series and the outcome,
// so a callback made twice (a crash before its parent's outcome was kept) is stored and delivered once.
import { derivedId, instantOf } from '../messages/timer-id.js';

const CALLBACK_NAMESPACE = '6f1b3a52-8c0d-4e9b-a7f4-2d5c8e1b0f63';

/** The outcome a callback tells: a timer's delivery or final failure, a task's success or final failure. */
export const CALLBACK_OUTCOMES = ['delivered', 'failed', 'succeeded'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/** Which of the parent's URLs a callback goes to. */
export type CallbackSlot = 'callback_url' | 'failure_callback_url' | 'result_url';

/**
 * callbackId(parentId, series, outcome, slot): the callback's timer id and idempotency key. `series`
 * tells apart the outcomes of one parent told again (a replayed timer, a retried task). It carries the
 * parent's instant of issue, so that the callback is kept in its parent's day partition.
 */
export function callbackId(parentId: string, series: number, outcome: CallbackOutcome, slot: CallbackSlot): string {
  return derivedId(`${parentId}/${series}/${outcome}/${slot}`, CALLBACK_NAMESPACE, instantOf(parentId));
}

/** At most this much of a destination's answer is carried in a callback. */
export const CALLBACK_BODY_MAX_BYTES = 64 * 1024;
/** At most this much of each attempt's answer is kept in its attempt record. */
export const ATTEMPT_BODY_MAX_BYTES = 1024;
/** Only the newest attempts keep their answer in the attempt record; older ones keep status and error. */
export const ATTEMPTS_WITH_RESPONSE = 20;
/** The answer headers kept in an attempt record (a callback carries them all). */
export const RECORDED_HEADERS = ['content-type', 'content-length', 'location', 'retry-after', 'x-request-id', 'request-id', 'etag', 'cache-control'] as const;

/** A destination's answer as recorded and carried: the body as UTF-8 text when it is, else base64. */
export interface ResponseRecord {
  status: number;
  headers: Record<string, string>;
  body: string;
  body_encoding: 'utf8' | 'base64';
  /** bytes of body read (a body over the carried bound is cut there) */
  body_bytes: number;
  body_truncated: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
const sequenceLength = (byte: number) => (byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0);

/** How many bytes at the end of a cut body are the start of a character the cut split (0 when none). */
function splitTail(bytes: Buffer): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back]!;
    if (byte >= 0x80 && byte <= 0xbf) continue; // a continuation byte: the lead is further back
    const length = sequenceLength(byte);
    return length > back ? back : 0;
  }
  return 0;
}

/**
 * bodyText(bytes, truncated): the bytes as text when they are UTF-8 that PostgreSQL can store (no
 * U+0000), leaving out a character the cut of a truncated body split in two; else their base64.
 */
export function bodyText(bytes: Buffer, truncated: boolean): { body: string; body_encoding: 'utf8' | 'base64' } {
  const whole = truncated ? bytes.subarray(0, bytes.length - splitTail(bytes)) : bytes;
  try {
    const text = strictUtf8.decode(whole);
    if (!text.includes('\u0000')) return { body: text, body_encoding: 'utf8' };
  } catch {
    // not UTF-8
  }
  return { body: bytes.toString('base64'), body_encoding: 'base64' };
}

/** responseRecord(answer, maxBytes, headerNames): the answer bounded to maxBytes of body and the chosen headers (all when null). */
export function responseRecord(answer: { status: number; headers: Record<string, string>; body: Buffer; bytes: number }, maxBytes: number, headerNames: readonly string[] | null): ResponseRecord {
  const kept = answer.body.subarray(0, maxBytes);
  const truncated = answer.bytes > kept.length;
  const headers = headerNames === null ? answer.headers : Object.fromEntries(headerNames.filter((name) => name in answer.headers).map((name) => [name, answer.headers[name]!]));
  return { status: answer.status, headers, ...bodyText(kept, truncated), body_bytes: answer.bytes, body_truncated: truncated };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What a timer's callback tells: its outcome, the destination's last answer, timings. */
export interface TimerOutcomeFacts {
  timerId: string;
  outcome: 'delivered' | 'failed';
  url: string;
  scheduleId: string | null;
  instant: number | null;
  attempts: number;
  series: number;
  status: number | null;
  error: string | null;
  response: ResponseRecord | null;
  fireAt: number;
  startedAt: number;
  finishedAt: number;
}

/** timerCallbackBody(facts): the JSON body a timer's callback sends. */
export function timerCallbackBody(f: TimerOutcomeFacts) {
  return {
    type: f.outcome === 'delivered' ? 'timer.delivered' : 'timer.failed',
    timer_id: f.timerId,
    url: f.url,
    schedule_id: f.scheduleId,
    instant: iso(f.instant),
    state: f.outcome,
    attempts: f.attempts,
    replays: f.series - 1,
    status: f.status,
    error: f.error,
    response: f.response,
    fire_at: iso(f.fireAt),
    started_at: iso(f.startedAt),
    finished_at: iso(f.finishedAt),
    duration_ms: f.finishedAt - f.startedAt,
  };
}

/** What a task's callback tells: its final outcome, as its row keeps it once finished. */
export interface TaskOutcomeFacts {
  taskId: string;
  taskType: string;
  outcome: 'succeeded' | 'failed';
  result: unknown;
  error: string | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** taskCallbackBody(facts): the JSON body a task's callback sends; result only on success, error only on failure. */
export function taskCallbackBody(f: TaskOutcomeFacts) {
  return {
    type: f.outcome === 'succeeded' ? 'task.succeeded' : 'task.failed',
    task_id: f.taskId,
    task_type: f.taskType,
    state: f.outcome,
    result: f.outcome === 'succeeded' ? (f.result ?? null) : null,
    error: f.outcome === 'failed' ? f.error : null,
    attempts: f.attempts,
    created_at: iso(f.createdAt),
    started_at: iso(f.startedAt),
    finished_at: iso(f.finishedAt),
  };
}
