import type { Reading } from "@lotwatch/protocol/events.js";
import type { LocalCounts } from "./local-counts.js";
import type { DropReport } from "./retention.js";

/** The seqs one accept() got: contiguous, because one call's readings are inserted together. */
export interface AcceptedRange {
  firstSeq: number;
  lastSeq: number;
  count: number;
}

export interface PendingEvent {
  seq: number;
  /** The wire event, ready to put in an envelope. */
  json: string;
}

export interface SeqRange {
  fromSeq: number;
  toSeq: number;
}

export interface BufferPragmas {
  journalMode: string;
  synchronous: "off" | "normal" | "full" | "extra";
  autoVacuum: "none" | "full" | "incremental";
}

/** The buffer's size, caps and disk state, for /v1/status and /metrics. */
export interface BufferHealth {
  /** The main file's size (page_count × page_size); the WAL adds up to a few MB. */
  bytes: number;
  maxBytes: number | null;
  maxAgeMs: number | null;
  /** Readings dropped by the cap policy since the buffer file was created. */
  dropped: number;
  /** The disk space reserve file exists (false after a full disk used it, until there is room again). */
  reserve: boolean;
  /** True while readings are refused: the disk is full and no reading is left to drop. */
  diskFull: boolean;
  diskFullSince: string | null;
  /** SQLITE_FULL answers since this process started, whether or not dropping made room. */
  diskFullEvents: number;
  /** Readings refused since this process started. */
  refused: number;
}

export interface EventBuffer {
  /** Resolves once the readings are committed; null for an empty list. Rejects with BUFFER_FULL on a full disk. */
  accept(readings: readonly Reading[]): Promise<AcceptedRange | null>;
  /** Commits whatever is queued now instead of on the next turn of the event loop. */
  flush(): void;
  /** Pending events with seq > afterSeq in seq order, bounded by count and total JSON bytes (at least one). */
  peek(afterSeq: number, maxEvents: number, maxBytes: number): PendingEvent[];
  /**
   * `peek` for the forwarder: from then on the cap policy never drops these rows, since the ingest
   * may already hold them (in flight, or acked and not yet deleted); it drops newer ones instead.
   */
  nextToSend(afterSeq: number, maxEvents: number, maxBytes: number): PendingEvent[];
  /**
   * Deletes acknowledged ranges (several in one transaction); returns how many rows were still
   * there. Never throws. Not fsynced: a power cut can bring acknowledged rows back, to be resent.
   */
  ack(acked: SeqRange | readonly SeqRange[]): number;
  depth(): number;
  /** When the oldest pending event was accepted (ISO), or null when empty. */
  oldestPendingAt(): string | null;
  bytes(): number;
  health(): BufferHealth;
  /** Per lane, door and slot counts of every reading accepted since the file was created. */
  counts(): LocalCounts;
  /** Applies the age cap (and the byte cap, e.g. after it was lowered); also runs on a timer. */
  enforceCaps(): void;
  /** Called after each commit, gap events included; returns an unsubscribe function. */
  onCommitted(listener: (range: AcceptedRange) => void): () => void;
  /** Called after readings were dropped by the cap policy; returns an unsubscribe function. */
  onDropped(listener: (report: DropReport) => void): () => void;
  /**
   * Caps the file at this many pages (SQLite's max_page_count, never below the current size), so
   * SQLite answers a genuine SQLITE_FULL: how tests and fault drills simulate a full disk. Returns
   * the limit in effect.
   */
  setPageLimit(pages: number): number;
  stats(): { commits: number; accepted: number };
  pragmas(): BufferPragmas;
  close(): void;
}
