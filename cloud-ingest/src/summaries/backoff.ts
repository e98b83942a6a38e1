export interface BackoffOptions {
  /** Delay after the first failure. Default 1 s. */
  initialMs?: number;
  /** Ceiling of the doubling. Default 60 s. */
  maxMs?: number;
}

/**
 * Capped exponential backoff with jitter: after the n-th failure in a row, wait between half and all
 * of `min(maxMs, initialMs × 2^(n−1))`. The jitter keeps several ingests from retrying in step.
 */
export function backoffDelay(failures: number, options: BackoffOptions = {}, random = Math.random): number {
  const initialMs = options.initialMs ?? 1000;
  const maxMs = options.maxMs ?? 60_000;
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
