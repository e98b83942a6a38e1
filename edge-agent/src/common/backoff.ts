export interface BackoffOptions {
  /** First delay, before jitter. */
  initialMs: number;
  /** Cap on the delay, before jitter. */
  maxMs: number;
  /** Source of randomness in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call doubles the base up to the cap. */
  next(): number;
  /** Back to the initial delay, after a success. */
  reset(): void;
  /** Attempts since the last reset. */
  readonly attempts: number;
}

/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed, half random, so many
 * gateways cut off together do not reconnect in lockstep yet none waits much less than planned.
 */
export function createBackoff(options: BackoffOptions): Backoff {
  const random = options.random ?? Math.random;
  let attempts = 0;
  return {
    next() {
      const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempts, 30));
      attempts++;
      return Math.round(base / 2 + (random() * base) / 2);
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
