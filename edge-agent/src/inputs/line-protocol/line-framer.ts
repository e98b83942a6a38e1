export type DiscardReason = "overlong" | "partial";

export interface LineFramerOptions {
  /** Longest line kept, in bytes, not counting "\r\n". */
  maxLineLength: number;
  onLine(line: Buffer, lineNumber: number): void;
  /** A line dropped by the framer: longer than allowed, or cut off when the source closed. */
  onDiscard(reason: DiscardReason, lineNumber: number): void;
}

export interface LineFramer {
  push(chunk: Buffer): void;
  /** The source closed: a half line is discarded (and reported); line numbers keep counting. */
  end(): void;
}

/**
 * Splits a byte stream on "\n", strips a trailing "\r" and numbers lines from 1. Memory stays
 * bounded: at most maxLineLength + 1 bytes are held; an overlong line is reported once, as soon as
 * it is seen, and skipped up to its newline.
 */
export function createLineFramer(options: LineFramerOptions): LineFramer {
  const limit = options.maxLineLength + 1; // room for a "\r" before the "\n"
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  let lineNumber = 0;

  function reset(): void {
    parts = [];
    held = 0;
  }

  return {
    push(chunk) {
      let start = 0;
      while (start <= chunk.length) {
        const newline = chunk.indexOf(10, start);
        const end = newline === -1 ? chunk.length : newline;
        if (!skipping && held + (end - start) > limit) {
          skipping = true;
          reset();
          options.onDiscard("overlong", lineNumber + 1);
        }
        if (!skipping && end > start) {
          // Copy what must outlive this call: the source may reuse its chunk.
          parts.push(newline === -1 ? Buffer.from(chunk.subarray(start, end)) : chunk.subarray(start, end));
          held += end - start;
        }
        if (newline === -1) return;
        lineNumber++;
        if (skipping) {
          skipping = false;
        } else {
          let line = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, held);
          reset();
          if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
          if (line.length > options.maxLineLength) options.onDiscard("overlong", lineNumber);
          else options.onLine(line, lineNumber);
        }
        start = newline + 1;
      }
    },
    end() {
      if (!skipping && held > 0) options.onDiscard("partial", lineNumber + 1);
      skipping = false;
      reset();
    },
  };
}
