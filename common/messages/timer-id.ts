// Timer ids are UUIDv7: random enough to be unguessable, and carrying the instant they were issued,
// which lets a webserver tell a just-accepted timer (still on its way to the database) from an unknown one.
import { v7 as uuidv7, validate, version } from 'uuid';

export function newTimerId(): string {
  return uuidv7();
}

export function isTimerId(text: string): boolean {
  return validate(text);
}

/** The instant (epoch ms) a UUIDv7 was issued, or null for other UUID versions. */
export function issuedAt(id: string): number | null {
  if (!validate(id) || version(id) !== 7) return null;
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
