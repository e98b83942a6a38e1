import { createLogger, type Logger } from "../logging/create-logger.js";
import { type BackoffOptions, backoffDelay } from "./backoff.js";
import type { SummaryOutbox } from "./summary-outbox.js";
import type { SummarySink } from "./summary-sink.js";

export interface DispatcherTuning {
  /** Records per delivery (per POST). Default 100. */
  batchSize?: number;
  /** How often an idle sink looks for new records. Default 500 ms. */
  pollMs?: number;
  backoff?: BackoffOptions;
}

export interface DispatcherOptions extends DispatcherTuning {
  outbox: SummaryOutbox;
  sinks: SummarySink[];
  logger?: Logger;
}

export interface SummaryDispatcher {
  /** Stops every sink; a delivery in flight is abandoned and stays in the outbox. */
  close(): Promise<void>;
}

/**
 * Drains the outbox into each sink independently: read past the sink's cursor, deliver, then move
 * the cursor. A crash between delivering and moving repeats records (consumers dedupe by
 * `recordId`); nothing is ever skipped. A failing sink retries the same records with backoff.
 */
export function createSummaryDispatcher(options: DispatcherOptions): SummaryDispatcher {
  const { outbox } = options;
  const batchSize = options.batchSize ?? 100;
  const pollMs = options.pollMs ?? 500;
  const logger = options.logger ?? createLogger("summaries");
  const stop = new AbortController();

  const drain = async (sink: SummarySink) => {
    let failures = 0;
    const retryLater = async (error: unknown, what: string, records: number) => {
      failures++;
      const retryInMs = backoffDelay(failures, options.backoff);
      logger.warn(
        { sink: sink.name, target: sink.target, records, failures, retryInMs, err: error },
        `${what}; retrying in ${retryInMs} ms`,
      );
      await sleep(retryInMs, stop.signal);
    };
    while (!stop.signal.aborted) {
      let records: Awaited<ReturnType<SummaryOutbox["readOutbox"]>>;
      try {
        records = await outbox.readOutbox(sink.name, batchSize);
      } catch (error) {
        if (stop.signal.aborted) break;
        await retryLater(error, "reading the summary outbox failed", 0);
        continue;
      }
      const last = records[records.length - 1];
      if (last === undefined) {
        await sleep(pollMs, stop.signal);
        continue;
      }
      try {
        await sink.deliver(records, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) break;
        await retryLater(error, `delivering summaries to the ${sink.name} sink failed`, records.length);
        continue;
      }
      if (failures > 0)
        logger.info({ sink: sink.name, failures }, `the ${sink.name} sink takes summaries again`);
      failures = 0;
      try {
        await outbox.markDelivered(sink.name, last.recordId);
      } catch (error) {
        // Delivered but not marked: they will be delivered again, which consumers tolerate.
        if (stop.signal.aborted) break;
        await retryLater(error, "marking summaries delivered failed", records.length);
        continue;
      }
      logger.debug(
        { sink: sink.name, records: records.length, through: last.recordId },
        "summaries delivered",
      );
    }
  };

  for (const sink of options.sinks) {
    logger.info({ sink: sink.name, target: sink.target }, `delivering summaries to ${sink.target}`);
  }
  const running = Promise.all(options.sinks.map(drain));
  let closing: Promise<void> | undefined;
  return {
    close() {
      stop.abort();
      closing ??= running.then(() => undefined);
      return closing;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
