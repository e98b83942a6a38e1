import { createBackoff } from "../../common/backoff.js";
import type { Input, InputContext } from "../input.js";
import type { LineFormat } from "./line-format-config.js";
import { createLineReader } from "./line-reader.js";

/** An open byte source: a serial port, a TCP connection. */
export interface OpenSource {
  close(): Promise<void>;
}

export interface SourceHandlers {
  onData(chunk: Buffer): void;
  /** Called once when the source goes away by itself (device unplugged, peer closed). */
  onClose(error?: Error): void;
}

export interface ReopeningLineInputOptions {
  type: string;
  name: string;
  /** The device path or host:port, for logs. */
  source: string;
  format: LineFormat;
  maxLineLength: number;
  reopenMinMs: number;
  reopenMaxMs: number;
  /** Opens the source; rejects when it cannot be opened now. */
  open(handlers: SourceHandlers): Promise<OpenSource>;
  random?: () => number;
}

/**
 * A line-protocol input that keeps its source open: when opening fails or the source vanishes it
 * retries with capped exponential backoff, logging the outage once and its end once.
 */
export function createReopeningLineInput(options: ReopeningLineInputOptions, context: InputContext): Input {
  const logger = context.logger.child({ input: options.name, source: options.source });
  const backoff = createBackoff({
    initialMs: options.reopenMinMs,
    maxMs: options.reopenMaxMs,
    random: options.random,
  });
  const reader = createLineReader({
    source: options.source,
    format: options.format,
    maxLineLength: options.maxLineLength,
    sink: context.sink,
    logger,
    observer: context.observer,
  });
  let current: OpenSource | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let outageSince: number | null = null;
  let stopped = false;

  function scheduleRetry(error: Error | undefined): void {
    if (stopped) return;
    const delay = backoff.next();
    if (outageSince === null) {
      outageSince = Date.now();
      context.observer.outage();
      logger.warn({ err: error, retryInMs: delay }, "input source unavailable; retrying");
    } else {
      logger.debug({ err: error, retryInMs: delay }, "input source still unavailable");
    }
    retryTimer = setTimeout(attempt, delay);
  }

  function attempt(): void {
    retryTimer = null;
    let closedBySource = false;
    const handlers: SourceHandlers = {
      onData: (chunk) => reader.push(chunk),
      onClose(error) {
        if (closedBySource || stopped) return;
        closedBySource = true;
        current = null;
        reader.end();
        context.observer.connected(false);
        scheduleRetry(error);
      },
    };
    options.open(handlers).then(
      (source) => {
        if (stopped) {
          void source.close();
          return;
        }
        current = source;
        backoff.reset();
        context.observer.connected(true);
        if (outageSince !== null) {
          logger.info({ downMs: Date.now() - outageSince }, "input source reopened");
          outageSince = null;
        } else {
          logger.info("input source opened");
        }
      },
      (error: Error) => scheduleRetry(error),
    );
  }

  return {
    name: options.name,
    type: options.type,
    start() {
      if (stopped || current !== null || retryTimer !== null) return;
      attempt();
    },
    async close() {
      stopped = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      const source = current;
      current = null;
      if (source !== null) {
        await source.close();
        reader.end();
        context.observer.connected(false);
      }
    },
  };
}
