import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import type { Logger } from "../common/logger.js";
import { openDatabase, type SynchronousMode } from "./open-database.js";
import { toStoredEvent, toWireJson } from "./wire-event.js";

export interface EventBufferOptions {
  path: string;
  synchronous?: SynchronousMode;
  gatewayId: string;
  site: string;
  /** This process's boot id; events stamped by earlier boots carry theirs on the wire. */
  bootId: string;
  logger: Logger;
  /** A commit is forced once this many readings are queued (default 1000). */
  maxQueued?: number;
  /** Milliseconds since process start; injectable for tests. */
  uptimeMs?: () => number;
  now?: () => Date;
}

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
  synchronous: SynchronousMode | "off" | "extra";
  autoVacuum: "none" | "full" | "incremental";
}

export interface EventBuffer {
  /** Resolves once the readings are committed; null for an empty list. */
  accept(readings: readonly Reading[]): Promise<AcceptedRange | null>;
  /** Commits whatever is queued now instead of on the next turn of the event loop. */
  flush(): void;
  /** Pending events with seq > afterSeq in seq order, bounded by count and total JSON bytes (at least one). */
  peek(afterSeq: number, maxEvents: number, maxBytes: number): PendingEvent[];
  /** Deletes an acknowledged range; returns how many rows were still there. */
  ack(range: SeqRange): number;
  depth(): number;
  /** When the oldest pending event was accepted (ISO), or null when empty. */
  oldestPendingAt(): string | null;
  /** Called after each commit; returns an unsubscribe function. */
  onCommitted(listener: (range: AcceptedRange) => void): () => void;
  stats(): { commits: number; accepted: number };
  pragmas(): BufferPragmas;
  close(): void;
}

interface QueuedAccept {
  readings: readonly Reading[];
  receivedAt: Date;
  uptimeMs: number;
  resolve: (range: AcceptedRange) => void;
  reject: (error: Error) => void;
}

interface PendingRow {
  seq: number;
  boot_id: string;
  body: string;
}

// Freed pages are handed back to the file system once this many pile up (4 MiB at 4 KiB pages).
const VACUUM_FREE_PAGES = 1024;

/** The durable store of accepted readings: SQLite in WAL mode with group commit. */
export function createEventBuffer(options: EventBufferOptions): EventBuffer {
  const db = openDatabase({
    path: options.path,
    synchronous: options.synchronous ?? "full",
    gatewayId: options.gatewayId,
  });
  const logger = options.logger;
  const maxQueued = options.maxQueued ?? 1000;
  const uptimeMs = options.uptimeMs ?? (() => Math.floor(performance.now()));
  const now = options.now ?? (() => new Date());

  const insert = db.prepare(
    "INSERT INTO pending (id, type, occurred_at, accepted_at, boot_id, body) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const selectAfter = db.prepare("SELECT seq, boot_id, body FROM pending WHERE seq > ? ORDER BY seq LIMIT ?");
  const deleteRange = db.prepare("DELETE FROM pending WHERE seq BETWEEN ? AND ?");
  const selectOldest = db.prepare("SELECT accepted_at FROM pending ORDER BY seq LIMIT 1").pluck();
  const commitQueue = db.transaction((batch: QueuedAccept[]) =>
    batch.map((entry) => {
      let firstSeq = 0;
      let lastSeq = 0;
      for (const reading of entry.readings) {
        const event = toStoredEvent(reading, {
          site: options.site,
          uptimeMs: entry.uptimeMs,
          receivedAt: entry.receivedAt,
        });
        const { lastInsertRowid } = insert.run(
          event.id,
          event.type,
          event.occurredAt,
          entry.receivedAt.getTime(),
          options.bootId,
          event.body,
        );
        lastSeq = Number(lastInsertRowid);
        if (firstSeq === 0) firstSeq = lastSeq;
      }
      return { firstSeq, lastSeq, count: entry.readings.length };
    }),
  );

  let depth = db.prepare("SELECT count(*) FROM pending").pluck().get() as number;
  let queue: QueuedAccept[] = [];
  let queuedReadings = 0;
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;
  let commits = 0;
  let accepted = 0;
  const listeners = new Set<(range: AcceptedRange) => void>();

  function flush(): void {
    if (scheduled !== null) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    queuedReadings = 0;
    let ranges: AcceptedRange[];
    try {
      ranges = commitQueue(batch);
    } catch (cause) {
      const error = new LotwatchError(
        "BUFFER_WRITE_FAILED",
        `could not commit ${batch.length} accepted batch(es) to ${options.path}: ${(cause as Error).message}`,
        { cause },
      );
      logger.error({ err: error }, "buffer commit failed");
      for (const entry of batch) entry.reject(error);
      return;
    }
    commits++;
    const total = ranges.reduce((sum, range) => sum + range.count, 0);
    depth += total;
    accepted += total;
    for (const [index, range] of ranges.entries()) batch[index]?.resolve(range);
    const firstRange = ranges[0];
    const lastRange = ranges[ranges.length - 1];
    if (firstRange === undefined || lastRange === undefined) return;
    const committed = { firstSeq: firstRange.firstSeq, lastSeq: lastRange.lastSeq, count: total };
    for (const listener of listeners) {
      try {
        listener(committed);
      } catch (error) {
        logger.error({ err: error }, "commit listener failed");
      }
    }
  }

  function vacuumIfWorthIt(): void {
    if ((db.pragma("freelist_count", { simple: true }) as number) >= VACUUM_FREE_PAGES) {
      db.pragma("incremental_vacuum");
    }
  }

  return {
    accept(readings) {
      if (closed)
        return Promise.reject(
          new LotwatchError("BUFFER_CLOSED", "the buffer is closed; the agent is stopping"),
        );
      if (readings.length === 0) return Promise.resolve(null);
      return new Promise<AcceptedRange>((resolve, reject) => {
        queue.push({ readings, receivedAt: now(), uptimeMs: uptimeMs(), resolve, reject });
        queuedReadings += readings.length;
        if (queuedReadings >= maxQueued) flush();
        else scheduled ??= setImmediate(flush);
      });
    },
    flush,
    peek(afterSeq, maxEvents, maxBytes) {
      const rows = selectAfter.all(afterSeq, maxEvents) as PendingRow[];
      const events: PendingEvent[] = [];
      let bytes = 0;
      for (const row of rows) {
        const json = toWireJson(row.seq, row.body, row.boot_id, options.bootId);
        bytes += Buffer.byteLength(json) + 1;
        if (events.length > 0 && bytes > maxBytes) break;
        events.push({ seq: row.seq, json });
      }
      return events;
    },
    ack(range) {
      const { changes } = deleteRange.run(range.fromSeq, range.toSeq);
      depth -= changes;
      if (changes > 0) vacuumIfWorthIt();
      return changes;
    },
    depth: () => depth,
    oldestPendingAt() {
      const acceptedAt = selectOldest.get() as number | undefined;
      return acceptedAt === undefined ? null : new Date(acceptedAt).toISOString();
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats: () => ({ commits, accepted }),
    pragmas() {
      const synchronous = ["off", "normal", "full", "extra"][
        db.pragma("synchronous", { simple: true }) as number
      ];
      const autoVacuum = ["none", "full", "incremental"][
        db.pragma("auto_vacuum", { simple: true }) as number
      ];
      return {
        journalMode: String(db.pragma("journal_mode", { simple: true })),
        synchronous: synchronous as BufferPragmas["synchronous"],
        autoVacuum: autoVacuum as BufferPragmas["autoVacuum"],
      };
    },
    close() {
      if (closed) return;
      flush();
      closed = true;
      listeners.clear();
      db.close();
    },
  };
}
