// How a dead letter reads to an operator: its id, why, from which queue and when it was dead-lettered,
// and its body, bounded. Two kinds reach a .dead queue: the copies dead-letter.ts publishes (x-dead-reason,
// x-dead-queue, x-dead-at) and the messages nacked to the dead_letter exchange when that copy could not be
// published, which carry only RabbitMQ's x-death (newest entry first): the reason is derived from it.
import type { Message, MessagePropertyHeaders } from 'amqplib';

/** The most of a body shown; a longer one is shown as text, cut there, with `truncated`. */
export const BODY_SHOWN_BYTES = 8 * 1024;

export interface DeadLetterView {
  message_id: string | null;
  reason: string;
  from_queue: string;
  dead_lettered_at: string | null;
  content_type: string | null;
  /** the body as JSON when it parses (and is shown whole), else as text */
  body: unknown;
  body_format: 'json' | 'text';
  body_bytes: number;
  truncated: boolean;
}

/** The headers dead-lettering adds, ours and RabbitMQ's: dropped when a dead letter goes back to its queue. */
export function isDeadLetterHeader(name: string): boolean {
  return name.startsWith('x-dead-') || name === 'x-death' || /^x-(first|last)-death-/.test(name);
}

interface DeathEntry {
  reason?: unknown;
  queue?: unknown;
  time?: unknown;
  count?: unknown;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : null);

// amqplib decodes an AMQP timestamp (x-death's time) as {'!': 'timestamp', value: seconds since the epoch}.
function instant(value: unknown): string | null {
  const typed = typeof value === 'object' && value !== null && (value as { '!'?: unknown })['!'] === 'timestamp' ? (value as { value: unknown }).value : undefined;
  if (typeof typed === 'number' && Number.isFinite(typed)) return new Date(typed * 1_000).toISOString();
  const parsed = text(value);
  return parsed !== null && !Number.isNaN(Date.parse(parsed)) ? new Date(parsed).toISOString() : null;
}

function lastDeath(headers: MessagePropertyHeaders): DeathEntry | null {
  const deaths = headers['x-death'] as unknown;
  return Array.isArray(deaths) && deaths.length > 0 && typeof deaths[0] === 'object' && deaths[0] !== null ? (deaths[0] as DeathEntry) : null;
}

function shownBody(content: Buffer): Pick<DeadLetterView, 'body' | 'body_format' | 'body_bytes' | 'truncated'> {
  const truncated = content.length > BODY_SHOWN_BYTES;
  const shown = content.subarray(0, BODY_SHOWN_BYTES).toString('utf8');
  if (!truncated) {
    try {
      return { body: JSON.parse(shown) as unknown, body_format: 'json', body_bytes: content.length, truncated };
    } catch {
      // not JSON: shown as text below
    }
  }
  return { body: shown, body_format: 'text', body_bytes: content.length, truncated };
}

/** A message of a .dead queue as the API shows it; `queue` is the work queue the .dead queue belongs to. */
export function deadLetterView(message: Pick<Message, 'content' | 'properties'>, queue: string): DeadLetterView {
  const headers: MessagePropertyHeaders = message.properties.headers ?? {};
  const death = lastDeath(headers);
  const deathQueue = text(death?.queue);
  const deathReason = death && `${text(death.reason) ?? 'dead-lettered'} in ${deathQueue ?? queue} (x-death${typeof death.count === 'number' ? `, count ${death.count}` : ''})`;
  return {
    message_id: text(message.properties.messageId),
    reason: text(headers['x-dead-reason']) ?? deathReason ?? 'unknown (no x-dead-reason and no x-death header)',
    from_queue: text(headers['x-dead-queue']) ?? deathQueue ?? queue,
    dead_lettered_at: instant(headers['x-dead-at']) ?? instant(death?.time),
    content_type: text(message.properties.contentType),
    ...shownBody(message.content),
  };
}
