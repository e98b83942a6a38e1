import type { Logger } from "../logging/create-logger.js";
import type { SummaryOutbox } from "./summary-outbox.js";

export const DEFAULT_OUTBOX_RETENTION_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface OutboxPrunerOptions {
  outbox: Pick<SummaryOutbox, "pruneOutbox">;
  /** The sinks this ingest delivers to (`file`, `webhook`); none: records nobody waits for. */
  sinks: readonly string[];
  /** Delivered records older than this many days go. */
  retentionDays: number;
  logger: Logger;
  /** Between two runs; the first runs at start. Default one hour. */
  intervalMs?: number;
  /** Records deleted per statement, so a large first run does not hold the write lock long. */
  chunk?: number;
  now?: () => number;
}

export interface OutboxPruner {
  /** Resolves once a run in progress ended. */
  close(): Promise<void>;
}

/**
 * Keeps the outbox from growing forever: the records every sink delivered stay for
 * `retentionDays` (to look a delivery up), then go, a chunk at a time with the event loop free in
 * between so commits are not held up. A failed run is logged and the next one tries again.
 */
export function startOutboxPruner(options: OutboxPrunerOptions): OutboxPruner {
  const { outbox, sinks, logger } = options;
  const chunk = options.chunk ?? 5_000;
  const now = options.now ?? Date.now;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const prune = async () => {
    const before = now() - options.retentionDays * DAY_MS;
    let pruned = 0;
    try {
      for (;;) {
        const deleted = await outbox.pruneOutbox(sinks, before, chunk);
        pruned += deleted;
        if (deleted < chunk || closed) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (pruned > 0) {
        logger.info(
          { pruned, recordedBefore: new Date(before).toISOString(), sinks },
          "pruned delivered summary records from the outbox",
        );
      }
    } catch (error) {
      logger.warn({ err: error, pruned }, "pruning the summary outbox failed; the next run tries again");
    }
  };

  let running: Promise<void> = prune();
  const schedule = () => {
    timer = setTimeout(
      () => {
        running = prune().then(() => {
          if (!closed) schedule();
        });
      },
      options.intervalMs ?? 60 * 60 * 1000,
    );
    timer.unref();
  };
  void running.then(() => {
    if (!closed) schedule();
  });

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
