import type { Reading } from "@lotwatch/protocol/events.js";
import type { Logger } from "../../common/logger.js";
import type { InputObserver, MalformedReason, ReadingSink } from "../input.js";
import { createRateLimitedLog } from "../rate-limited-log.js";
import type { LineFormat } from "./line-format-config.js";
import { createLineFramer } from "./line-framer.js";
import { createLineParser } from "./line-parsers.js";

export interface LineReaderOptions {
  /** The device path or host:port, for logs. */
  source: string;
  format: LineFormat;
  maxLineLength: number;
  sink: ReadingSink;
  logger: Logger;
  observer: InputObserver;
  /** Malformed lines logged per minute before the rest are only counted (default 20). */
  logLimitPerMinute?: number;
  now?: () => number;
}

export interface LineReader {
  push(chunk: Buffer): void;
  /** The source closed: a half line is counted as malformed and dropped. */
  end(): void;
}

/** Bytes in, readings out: frames lines, parses them, hands each chunk's readings to the sink at once. */
export function createLineReader(options: LineReaderOptions): LineReader {
  const parse = createLineParser(options.format);
  const logMalformed = createMalformedLog(options);
  const logStoreFailure = createStoreFailureLog(options);
  let readings: Reading[] = [];

  function malformed(reason: MalformedReason, lineNumber: number, detail: string): void {
    options.observer.malformed(reason);
    logMalformed(reason, lineNumber, detail);
  }

  const framer = createLineFramer({
    maxLineLength: options.maxLineLength,
    onLine(line, lineNumber) {
      const result = parse(line);
      if (result.ok === true) readings.push(result.reading);
      else if (result.ok === false) malformed(result.reason, lineNumber, result.detail);
    },
    onDiscard(reason, lineNumber) {
      const detail =
        reason === "overlong"
          ? `longer than maxLineLength ${options.maxLineLength}; skipped to the next newline`
          : "half a line was pending when the source closed";
      malformed(reason, lineNumber, detail);
    },
  });

  function deliver(): void {
    if (readings.length === 0) return;
    const batch = readings;
    readings = [];
    options.sink(batch).catch((error: unknown) => logStoreFailure(error, batch.length));
  }

  return {
    push(chunk) {
      framer.push(chunk);
      deliver();
    },
    end() {
      framer.end();
      deliver();
    },
  };
}

/** Logs each malformed line once, but no more than a limit per minute, so garbage cannot flood the log. */
function createMalformedLog(
  options: LineReaderOptions,
): (reason: MalformedReason, line: number, detail: string) => void {
  const log = createRateLimitedLog({
    logger: options.logger,
    limitPerMinute: options.logLimitPerMinute,
    context: { source: options.source },
    summaryMessage: "more malformed lines were skipped without a log line",
    now: options.now,
  });
  return (reason, line, detail) =>
    log({ source: options.source, line, reason, detail }, "malformed line skipped");
}

/**
 * Logs readings the buffer refused (a full disk refuses every chunk) at most once a minute, with
 * the number lost in between; the refusals are counted in the metrics either way.
 */
function createStoreFailureLog(options: LineReaderOptions): (error: unknown, lost: number) => void {
  const now = options.now ?? Date.now;
  let lastLog = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return (error, lost) => {
    unlogged += lost;
    if (now() - lastLog < 60_000) return;
    lastLog = now();
    options.logger.error(
      { err: error, source: options.source, lost: unlogged },
      "readings could not be stored",
    );
    unlogged = 0;
  };
}
