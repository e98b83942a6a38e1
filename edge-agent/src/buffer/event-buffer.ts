import { LotwatchError } from "@lotwatch/protocol/errors.js";
import type { Reading } from "@lotwatch/protocol/events.js";
import type { Logger } from "../common/logger.js";
import { isDiskFull } from "./disk-full.js";
import { createDiskSpace, walCheckpointBytesFor } from "./disk-space.js";
import { createCountsStore } from "./local-counts.js";
import { openDatabase, readPragmas, type SynchronousMode } from "./open-database.js";
import { createPendingRows } from "./pending-rows.js";
import { createRetention, type DropReport } from "./retention.js";
import type { AcceptedRange, EventBuffer, SeqRange } from "./types.js";
import { type StampContext, type StoredEvent, toGapEvent, toStoredEvents } from "./wire-event.js";

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
  /** Cap on the main file's size; past it the oldest readings are dropped. */
  maxBytes?: number;
  /** Cap on how long a reading waits, by accept time; older ones are dropped. */
  maxAgeMs?: number;
  /** Disk space kept in `<path>-reserve` for a full disk (default 0: none). */
  reserveBytes?: number;
  /** How often the age cap is applied (default maxAge / 10, from 1 s to 60 s). */
  ageCheckIntervalMs?: number;
  /** The wall clock's sync state at reception; only `false` is stamped on the events. */
  clockSynced?: () => boolean | undefined;
  /** Milliseconds since process start; injectable for tests. */
  uptimeMs?: () => number;
  now?: () => Date;
}

interface QueuedAccept {
  readings: readonly Reading[];
  /** The readings as stored, stamped at accept: ids, reception time and uptime. */
  rows: Array<{ event: StoredEvent; acceptedAt: number }>;
  /** What its rows write, roughly: their JSON plus the row's overhead. */
  bytes: number;
  resolve: (range: AcceptedRange) => void;
  reject: (error: Error) => void;
}

// Freed pages are handed back to the file system once this many pile up (4 MiB at 4 KiB pages)...
const VACUUM_FREE_PAGES = 1024;
// ...and once the pages still in use are at most this share of the free ones: incremental_vacuum
// moves in-use pages from the file's end into the free ones, and halfway through draining a large
// backlog that would rewrite most of what is left, again and again.
const VACUUM_USED_PER_FREE = 1 / 8;
// Pages handed back per step, and the pause between steps: a step takes a few ms, so returning a
// drained gigabyte neither stalls intake and acks for seconds nor takes the CPU from a drain.
const VACUUM_STEP_PAGES = 256;
const VACUUM_STEP_PAUSE_MS = 20;

// A row beside its body JSON: the id, type, time and boot id columns, record and page overhead (measured ~330 B of WAL per small reading).
const ROW_OVERHEAD_BYTES = 160;

/**
 * Splits a group commit at accept boundaries so each transaction writes about maxBytes at most; an
 * accept stays whole. On a nearly full disk a larger commit's WAL would not fit in the reserve.
 */
function boundedGroups(batch: QueuedAccept[], maxBytes: number): QueuedAccept[][] {
  if (batch.length < 2 || !Number.isFinite(maxBytes)) return [batch];
  const groups: QueuedAccept[][] = [];
  let group: QueuedAccept[] = [];
  let bytes = 0;
  for (const entry of batch) {
    const size = entry.bytes;
    if (group.length > 0 && bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(entry);
    bytes += size;
  }
  groups.push(group);
  return groups;
}

/** The durable store of accepted readings: SQLite in WAL mode with group commit and a cap policy. */
export function createEventBuffer(options: EventBufferOptions): EventBuffer {
  const now = options.now ?? (() => new Date());
  const reserveBytes = options.reserveBytes ?? 0;
  const db = openDatabase({
    path: options.path,
    synchronous: options.synchronous ?? "full",
    gatewayId: options.gatewayId,
    now: now(),
    walCheckpointBytes: walCheckpointBytesFor(reserveBytes),
    site: options.site,
    bootId: options.bootId,
    logger: options.logger,
  });
  const { logger } = options;
  const maxQueued = options.maxQueued ?? 1000;
  const uptimeMs = options.uptimeMs ?? (() => Math.floor(performance.now()));
  const clockSynced = options.clockSynced ?? (() => undefined);
  const stampNow = (): StampContext => ({
    site: options.site,
    uptimeMs: uptimeMs(),
    receivedAt: now(),
    clockSynced: clockSynced(),
  });

  const rows = createPendingRows(db, options.bootId);
  const counts = createCountsStore(db);
  let sentThrough = 0;
  const retention = createRetention({
    db,
    maxBytes: options.maxBytes,
    maxAgeMs: options.maxAgeMs,
    now,
    sentThrough: () => sentThrough,
    appendGap(range, reason) {
      const stamp = stampNow();
      return rows.insert(toGapEvent(range, reason, stamp), stamp.receivedAt);
    },
  });

  const commitQueue = db.transaction((batch: QueuedAccept[]) => {
    const tally = counts.tally();
    const all = batch.length === 1 ? (batch[0] as QueuedAccept).rows : batch.flatMap((entry) => entry.rows);
    // One transaction, one writer: the rows get consecutive seqs, so each accept's range follows.
    let nextSeq = rows.insertAll(all);
    const ranges = batch.map((entry) => {
      entry.readings.forEach((reading, i) => {
        const row = entry.rows[i] as QueuedAccept["rows"][number];
        tally.add(
          reading,
          reading.occurredAt === undefined ? row.acceptedAt : Date.parse(row.event.occurredAt),
        );
      });
      const range = { firstSeq: nextSeq, lastSeq: nextSeq + entry.rows.length - 1, count: entry.rows.length };
      nextSeq += entry.rows.length;
      return range;
    });
    tally.write();
    // This commit's own readings are kept; only older ones make room under the byte cap.
    const drop = retention.enforceBytes(ranges[0]?.firstSeq ?? Number.MAX_SAFE_INTEGER);
    return { ranges, drop };
  });
  type CommitResult = ReturnType<typeof commitQueue>;
  const enforceBytesNow = db.transaction(() => retention.enforceBytes(Number.MAX_SAFE_INTEGER));
  const deleteRanges = db.transaction((ranges: readonly SeqRange[]) =>
    ranges.reduce((sum, range) => sum + rows.delete(range), 0),
  );
  // Prepared once: acks read the free list hundreds of times a second in a drain. (Pragmas that
  // set something are not prepared: SQLite applies some of them when preparing.)
  const freelistCount = db.prepare("PRAGMA freelist_count").pluck();
  const pageCount = db.prepare("PRAGMA page_count").pluck();
  const syncNormal = () => db.pragma("synchronous = NORMAL");
  const syncFull = () => db.pragma("synchronous = FULL");
  const syncedAcks = (options.synchronous ?? "full") === "full";

  let depth = rows.count();
  let dropped = Number(db.prepare("SELECT value FROM meta WHERE key = 'dropped_total'").pluck().get());
  let queue: QueuedAccept[] = [];
  let queuedReadings = 0;
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;
  let commits = 0;
  let accepted = 0;
  const diskSpace = createDiskSpace({
    db,
    path: options.path,
    retention,
    reserveBytes,
    logger,
    now,
    depth: () => depth,
    onDrop: applyDrop,
  });
  let lastCapWarning = 0;
  let vacuumAfter = 0;
  let vacuumTimer: NodeJS.Timeout | null = null;
  const committedListeners = new Set<(range: AcceptedRange) => void>();
  const droppedListeners = new Set<(report: DropReport) => void>();

  function notify<T>(listeners: Set<(value: T) => void>, value: T): void {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        logger.error({ err: error }, "buffer listener failed");
      }
    }
  }

  /** Book-keeping after a committed drop: depth, totals, the log, and a wake-up for the forwarder. */
  function applyDrop(report: DropReport): void {
    depth += report.gapSeqs.length - report.dropped;
    dropped += report.dropped;
    logger.warn(
      { reason: report.reason, dropped: report.dropped, ranges: report.ranges.slice(0, 10), depth },
      "dropped the oldest readings and appended gap events",
    );
    notify(droppedListeners, report);
    const first = report.gapSeqs[0];
    const last = report.gapSeqs[report.gapSeqs.length - 1];
    if (first !== undefined && last !== undefined) {
      notify(committedListeners, { firstSeq: first, lastSeq: last, count: report.gapSeqs.length });
    }
  }

  /**
   * Commits a group of accepts. On a full disk each accept goes on its own, so old readings are
   * dropped only for an accept that needs the room, and only an accept that cannot fit is refused.
   */
  function commit(batch: QueuedAccept[]): void {
    let result: CommitResult | "full";
    try {
      result = diskSpace.commit(() => commitQueue(batch), batch.length === 1);
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
    if (result === "full" && batch.length > 1) {
      for (const entry of batch) commit([entry]);
      return;
    }
    if (result === "full") {
      const error = diskSpace.refuse(batch.reduce((sum, entry) => sum + entry.readings.length, 0));
      for (const entry of batch) entry.reject(error);
      return;
    }
    commits++;
    const { ranges, drop } = result;
    const total = ranges.reduce((sum, range) => sum + range.count, 0);
    depth += total;
    accepted += total;
    for (const [index, range] of ranges.entries()) batch[index]?.resolve(range);
    if (drop !== null) applyDrop(drop);
    warnIfOverCap();
    diskSpace.committed();
    const firstRange = ranges[0];
    const lastRange = ranges[ranges.length - 1];
    if (firstRange === undefined || lastRange === undefined) return;
    notify(committedListeners, { firstSeq: firstRange.firstSeq, lastSeq: lastRange.lastSeq, count: total });
  }

  function flush(): void {
    if (scheduled !== null) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    queuedReadings = 0;
    diskSpace.beforeCommit();
    for (const group of boundedGroups(batch, diskSpace.maxCommitBytes)) commit(group);
  }

  /**
   * Deletes an acknowledged range. On a full disk the DELETE gets the room it needs to be written
   * (checkpoint, reserve); if it still does not fit, halves do, since each writes less.
   */
  function deleteAcked(range: SeqRange): number {
    try {
      return diskSpace.freeing(() => rows.delete(range));
    } catch (error) {
      if (!isDiskFull(error) || range.fromSeq >= range.toSeq) throw error;
      const middle = Math.floor((range.fromSeq + range.toSeq) / 2);
      return (
        deleteAcked({ fromSeq: range.fromSeq, toSeq: middle }) +
        deleteAcked({ fromSeq: middle + 1, toSeq: range.toSeq })
      );
    }
  }

  function warnIfOverCap(): void {
    if (options.maxBytes === undefined || Date.now() - lastCapWarning < 60_000) return;
    const bytes = retention.bytes();
    if (bytes <= options.maxBytes) return;
    lastCapWarning = Date.now();
    logger.warn(
      { bytes, maxBytes: options.maxBytes, depth },
      "buffer is over buffer.maxBytes with no older reading left to drop: the rest are gap events " +
        "or the latest commit; raise buffer.maxBytes",
    );
  }

  function enforceCaps(): void {
    if (closed) return;
    try {
      const byAge = retention.enforceAge();
      if (byAge !== null) applyDrop(byAge);
      const byBytes = enforceBytesNow();
      if (byBytes !== null) applyDrop(byBytes);
    } catch (error) {
      logger.error({ err: error }, "could not apply the buffer cap; will retry");
    }
  }

  /**
   * Deletes acknowledged ranges in one transaction, not fsynced: a delete lost to a power cut only
   * brings rows back that are sent again and dropped by the ingest as repeats, and the next
   * accept's fsync writes it out anyway (the WAL is synced as a whole, in order).
   */
  function deleteAckedRanges(ranges: readonly SeqRange[]): number {
    if (syncedAcks) syncNormal();
    try {
      if (ranges.length === 1) return deleteAcked(ranges[0] as SeqRange);
      try {
        return diskSpace.freeing(() => deleteRanges(ranges));
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        return ranges.reduce((sum, range) => sum + deleteAcked(range), 0);
      }
    } finally {
      if (syncedAcks) syncFull();
    }
  }

  function vacuumIfWorthIt(): void {
    if (vacuumTimer !== null || performance.now() < vacuumAfter) return;
    const free = freelistCount.get() as number;
    if (free < VACUUM_FREE_PAGES) return;
    const used = (pageCount.get() as number) - free;
    if (used <= free * VACUUM_USED_PER_FREE) vacuumTimer = setTimeout(vacuumStep, 0).unref();
  }

  /** Hands free pages back in steps until none are left; then frees SQLite's cache too. */
  function vacuumStep(): void {
    vacuumTimer = null;
    if (closed) return;
    // Like an ack, a vacuum lost to a power cut costs nothing: not fsynced.
    if (syncedAcks) syncNormal();
    try {
      db.pragma(`incremental_vacuum(${VACUUM_STEP_PAGES})`);
      if ((freelistCount.get() as number) > 0) {
        vacuumTimer = setTimeout(vacuumStep, VACUUM_STEP_PAUSE_MS).unref();
      } else {
        db.pragma("shrink_memory");
      }
    } catch (error) {
      // The pages stay free inside the file for new rows; try again in a minute, not every ack.
      vacuumAfter = performance.now() + 60_000;
      logger.warn({ err: error }, "could not hand free pages back to the file system");
    } finally {
      if (syncedAcks) syncFull();
    }
  }

  const ageTimer =
    options.maxAgeMs === undefined
      ? null
      : setInterval(
          enforceCaps,
          options.ageCheckIntervalMs ?? Math.min(60_000, Math.max(1000, options.maxAgeMs / 10)),
        ).unref();

  return {
    accept(readings) {
      if (closed)
        return Promise.reject(
          new LotwatchError("BUFFER_CLOSED", "the buffer is closed; the agent is stopping"),
        );
      if (readings.length === 0) return Promise.resolve(null);
      const stamp = stampNow();
      const acceptedAt = stamp.receivedAt.getTime();
      let bytes = 0;
      const stored = toStoredEvents(readings, stamp).map((event) => {
        bytes += event.bodyBytes + ROW_OVERHEAD_BYTES;
        return { event, acceptedAt };
      });
      return new Promise<AcceptedRange>((resolve, reject) => {
        queue.push({ readings, rows: stored, bytes, resolve, reject });
        queuedReadings += readings.length;
        if (queuedReadings >= maxQueued) flush();
        else scheduled ??= setImmediate(flush);
      });
    },
    flush,
    peek: (afterSeq, maxEvents, maxBytes) => rows.peek(afterSeq, maxEvents, maxBytes),
    nextToSend(afterSeq, maxEvents, maxBytes) {
      const events = rows.peek(afterSeq, maxEvents, maxBytes);
      const last = events[events.length - 1];
      if (last !== undefined && last.seq > sentThrough) sentThrough = last.seq;
      return events;
    },
    ack(acked) {
      const ranges = "fromSeq" in acked ? [acked] : acked;
      if (ranges.length === 0) return 0;
      try {
        const changes = deleteAckedRanges(ranges);
        depth -= changes;
        if (changes > 0) vacuumIfWorthIt();
        return changes;
      } catch (error) {
        // The rows stay and are sent again later; the ingest drops the repeats.
        logger.error({ err: error, ranges: ranges.slice(0, 10) }, "could not delete acknowledged rows");
        return 0;
      }
    },
    depth: () => depth,
    oldestPendingAt() {
      const acceptedAt = rows.oldestAcceptedAt();
      return acceptedAt === undefined ? null : new Date(acceptedAt).toISOString();
    },
    bytes: () => retention.bytes(),
    health: () => ({
      bytes: retention.bytes(),
      maxBytes: options.maxBytes ?? null,
      maxAgeMs: options.maxAgeMs ?? null,
      dropped,
      ...diskSpace.health(),
    }),
    counts: () => counts.snapshot(),
    enforceCaps,
    onCommitted(listener) {
      committedListeners.add(listener);
      return () => committedListeners.delete(listener);
    },
    onDropped(listener) {
      droppedListeners.add(listener);
      return () => droppedListeners.delete(listener);
    },
    setPageLimit: (pages) => db.pragma(`max_page_count = ${Math.floor(pages)}`, { simple: true }) as number,
    stats: () => ({ commits, accepted }),
    pragmas: () => readPragmas(db),
    close() {
      if (closed) return;
      if (ageTimer !== null) clearInterval(ageTimer);
      if (vacuumTimer !== null) clearTimeout(vacuumTimer);
      flush();
      closed = true;
      committedListeners.clear();
      droppedListeners.clear();
      db.close();
    },
  };
}
