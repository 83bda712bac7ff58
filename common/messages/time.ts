// Time arithmetic of timers. Every instant is epoch milliseconds; "now" is always passed in.
export const MAX_DELAY_SECONDS = 365 * 24 * 60 * 60;

export interface Delay {
  hours: number;
  minutes: number;
  seconds: number;
}

export function delaySeconds(delay: Delay): number {
  return delay.hours * 3600 + delay.minutes * 60 + delay.seconds;
}

export function fireAtFor(delay: Delay, now: number): number {
  return now + delaySeconds(delay) * 1000;
}

/** Whole seconds until fire_at, rounded up so that it reaches 0 only once the timer is due. */
export function timeLeftSeconds(fireAt: number, now: number): number {
  return Math.max(0, Math.ceil((fireAt - now) / 1000));
}
