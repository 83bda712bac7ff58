// A queue message that can never be processed (undecodable, wrong shape): dead-letter it, never retry.
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}
