// Timer ids are UUIDv7: random enough to be unguessable, and carrying the instant they were issued,
// which lets a webserver tell a just-accepted timer (still on its way to the database) from an unknown one.
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

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
