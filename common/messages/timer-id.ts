// Timer ids are UUIDv7: random enough to be unguessable, and carrying the instant they were issued,
// which lets a webserver tell a just-accepted timer (still on its way to the database) from an unknown one.
import { randomFillSync } from 'node:crypto';
import { v5 as uuidv5, v7 as uuidv7, validate, version } from 'uuid';

// The random bits come from a pool filled 256 ids at a time: asking the CSPRNG for 16 bytes per id
// was 5 % of a webserver's CPU per POST /timer. Given its bytes, uuid leaves the order of ids issued
// within one millisecond to the caller, so the counter below keeps them increasing as uuid itself does
// (RFC 9562, method 1: a 32-bit counter seeded from the random bits each millisecond, the millisecond
// moved on should it ever overflow).
const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let poolNext = POOL_IDS;
let lastMs = -Infinity;
let seq = 0;

function randomBytes16(): Uint8Array {
  if (poolNext === POOL_IDS) {
    randomFillSync(pool);
    poolNext = 0;
  }
  return pool.subarray(16 * poolNext, 16 * ++poolNext);
}

export function newTimerId(): string {
  const random = randomBytes16();
  const now = Date.now();
  if (now > lastMs) {
    seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    lastMs = now;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  return uuidv7({ random, msecs: lastMs, seq });
}

export function isTimerId(text: string): boolean {
  return validate(text);
}

/** The instant (epoch ms) a UUIDv7 was issued, or null for other UUID versions. */
export function issuedAt(id: string): number | null {
  if (!validate(id) || version(id) !== 7) return null;
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/**
 * derivedId(name, namespace, instantMs): an id derived from a name (the same name, the same id: a
 * callback or a schedule's run made twice is one), carrying an instant in its first 48 bits as a UUIDv7
 * does, so that its row lands in the day partition of that instant (common/store/partitions.ts): the
 * name's UUIDv5 with its first 48 bits replaced by the instant and its version set to 8 (RFC 9562's
 * custom layout). Without an instant, the name's UUIDv5.
 */
export function derivedId(name: string, namespace: string, instantMs: number | null): string {
  const hashed = uuidv5(name, namespace);
  if (instantMs === null) return hashed;
  const hex = Math.max(0, Math.trunc(instantMs)).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8)}-8${hashed.slice(15)}`;
}

/** The instant in the first 48 bits of a UUIDv7 or of a derived id (version 8); null for others. */
export function instantOf(id: string): number | null {
  if (!validate(id) || (version(id) !== 7 && version(id) !== 8)) return null;
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
