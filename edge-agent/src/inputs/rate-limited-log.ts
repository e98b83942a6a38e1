import type { Logger } from "../common/logger.js";

export interface RateLimitedLogOptions {
  logger: Logger;
  /** Lines logged per minute before the rest are only counted (default 20). */
  limitPerMinute?: number;
  /** Fields of the summary line that reports how many were not logged. */
  context?: Record<string, unknown>;
  summaryMessage?: string;
  now?: () => number;
}

/** A warn log that garbage cannot flood: past the limit a minute it counts, then says how many it skipped. */
export function createRateLimitedLog(
  options: RateLimitedLogOptions,
): (fields: Record<string, unknown>, message: string) => void {
  const limit = options.limitPerMinute ?? 20;
  const now = options.now ?? Date.now;
  let windowStart = now();
  let logged = 0;
  let suppressed = 0;
  return (fields, message) => {
    if (now() - windowStart >= 60_000) {
      if (suppressed > 0) {
        options.logger.warn(
          { ...options.context, suppressed },
          options.summaryMessage ?? "more warnings were counted without a log line",
        );
      }
      windowStart = now();
      logged = 0;
      suppressed = 0;
    }
    if (logged >= limit) {
      suppressed++;
      return;
    }
    logged++;
    options.logger.warn(fields, message);
  };
}
