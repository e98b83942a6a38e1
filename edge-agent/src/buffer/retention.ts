import type Database from "better-sqlite3";
import { contiguousRanges } from "./gap-ranges.js";
import type { SeqRange } from "./types.js";
import type { DropReason } from "./wire-event.js";

/** What one application of the cap policy deleted and reported. */
export interface DropReport {
  reason: DropReason;
  /** Readings deleted. */
  dropped: number;
  /** The dropped seqs, one `gateway.gap` event per range. */
  ranges: SeqRange[];
  /** Seqs of the gap events appended. */
  gapSeqs: number[];
  /** Estimated bytes the dropped rows took. */
  bytes: number;
}

export interface RetentionOptions {
  db: Database.Database;
  maxBytes?: number;
  maxAgeMs?: number;
  now: () => Date;
  /**
   * The highest seq handed to the forwarder in this process: rows up to it may already be stored
   * at the ingest (in flight, or acked and not yet deleted), so dropping one and reporting it in a
   * gap would name a seq as lost that arrived. Drops take only rows above it.
   */
  sentThrough?: () => number;
  /** Appends the gap event of one range in the current transaction; returns its seq. */
  appendGap(range: SeqRange, reason: DropReason): number;
}

export interface Retention {
  /** The main file's size, page_count × page_size (the WAL comes on top). */
  bytes(): number;
  /** In the commit's transaction: drops the oldest readings below beforeSeq until under maxBytes. */
  enforceBytes(beforeSeq: number): DropReport | null;
  /** Drops readings accepted more than maxAge ago, oldest seq first, in transactions of its own. */
  enforceAge(): DropReport | null;
  /**
   * Drops the oldest readings, at least `count` of them and about `bytes` worth, in one transaction
   * and without vacuuming: their pages stay in the file for new rows (the disk-full policy).
   */
  dropOldest(amount: { count: number; bytes: number }, reason: DropReason): DropReport | null;
}

const GAP_TYPE = "gateway.gap";
// Dropping down to 98% of the cap, not just under it, means one gap event per ~2% of the cap
// instead of one per commit when a slow trickle arrives at a full buffer.
const CAP_SLACK = 0.02;
const MAX_BYTE_ROUNDS = 32;
const PAGE_ROWS = 1000;
// One transaction's worth of aged readings: its WAL (a few MB) must fit on a nearly full disk.
const AGE_CHUNK = 10_000;

/**
 * The cap policy: past maxBytes or maxAge, or on a full disk, the oldest readings not yet sent go
 * first and the same transaction appends `gateway.gap` events naming exactly the seqs deleted. Gap rows are never
 * dropped: they are tiny, and they are the only record of the loss.
 */
export function createRetention(options: RetentionOptions): Retention {
  const { db, maxBytes, maxAgeMs } = options;
  const pageCount = db.prepare("PRAGMA page_count").pluck();
  const pageSize = db.prepare("PRAGMA page_size").pluck().get() as number;
  const vacuum = db.prepare("PRAGMA incremental_vacuum");
  // Estimated on-disk bytes of a row: its text columns plus the record and cell headers.
  const selectCandidates = db.prepare(
    `SELECT seq, length(body) + length(id) + length(type) + length(occurred_at) + length(boot_id) + 24 AS size
     FROM pending WHERE seq > ? AND seq < ? AND type <> '${GAP_TYPE}' ORDER BY seq LIMIT ?`,
  );
  const selectByAge = db.prepare(
    "SELECT seq, type, accepted_at FROM pending WHERE seq > ? ORDER BY seq LIMIT ?",
  );
  const deleteRange = db.prepare("DELETE FROM pending WHERE seq BETWEEN ? AND ?");
  const addDropped = db.prepare(
    "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + ? AS TEXT) WHERE key = 'dropped_total'",
  );

  const bytes = () => (pageCount.get() as number) * pageSize;
  const sentThrough = options.sentThrough ?? (() => 0);

  function dropSeqs(seqs: number[], reason: DropReason, bytes = 0): DropReport {
    const ranges = contiguousRanges(seqs);
    for (const range of ranges) deleteRange.run(range.fromSeq, range.toSeq);
    const gapSeqs = ranges.map((range) => options.appendGap(range, reason));
    addDropped.run(seqs.length);
    return { reason, dropped: seqs.length, ranges, gapSeqs, bytes };
  }

  const dropInTransaction = db.transaction((seqs: number[], reason: DropReason, vacuumAfter: boolean) => {
    const report = dropSeqs(seqs, reason);
    if (vacuumAfter) vacuum.run();
    return report;
  });

  /** The oldest readings below beforeSeq: at least `count` and `bytes` worth, if there are. */
  function oldestCandidates(
    beforeSeq: number,
    count: number,
    bytes: number,
  ): { seqs: number[]; bytes: number } {
    const seqs: number[] = [];
    let estimate = 0;
    let cursor = sentThrough();
    while (seqs.length < count || estimate < bytes) {
      const rows = selectCandidates.all(cursor, beforeSeq, PAGE_ROWS) as Array<{ seq: number; size: number }>;
      for (const row of rows) {
        seqs.push(row.seq);
        estimate += row.size;
        cursor = row.seq;
        if (seqs.length >= count && estimate >= bytes) break;
      }
      if (rows.length < PAGE_ROWS) break;
    }
    return { seqs, bytes: estimate };
  }

  function enforceBytes(beforeSeq: number): DropReport | null {
    if (maxBytes === undefined) return null;
    let size = bytes();
    if (size <= maxBytes) return null;
    const target = maxBytes - Math.ceil(maxBytes * CAP_SLACK);
    let report: DropReport | null = null;
    for (let round = 0; round < MAX_BYTE_ROUNDS && size > target; round++) {
      const { seqs, bytes: estimate } = oldestCandidates(beforeSeq, 1, size - target);
      if (seqs.length === 0) break;
      report = mergeDrops(report, dropSeqs(seqs, "buffer-cap-bytes", estimate));
      vacuum.run();
      size = bytes();
    }
    return report;
  }

  function enforceAge(): DropReport | null {
    if (maxAgeMs === undefined) return null;
    const cutoff = options.now().getTime() - maxAgeMs;
    let report: DropReport | null = null;
    let after = sentThrough();
    let done = false;
    while (!done) {
      const seqs: number[] = [];
      while (!done && seqs.length < AGE_CHUNK) {
        const rows = selectByAge.all(after, PAGE_ROWS) as Array<{
          seq: number;
          type: string;
          accepted_at: number;
        }>;
        if (rows.length === 0) done = true;
        for (const row of rows) {
          after = row.seq;
          if (row.type === GAP_TYPE) continue;
          if (row.accepted_at >= cutoff) {
            done = true;
            break;
          }
          seqs.push(row.seq);
        }
      }
      if (seqs.length > 0) report = mergeDrops(report, dropInTransaction(seqs, "buffer-cap-age", true));
    }
    return report;
  }

  function dropOldest(amount: { count: number; bytes: number }, reason: DropReason): DropReport | null {
    const { seqs, bytes } = oldestCandidates(Number.MAX_SAFE_INTEGER, amount.count, amount.bytes);
    return seqs.length === 0 ? null : { ...dropInTransaction(seqs, reason, false), bytes };
  }

  return { bytes, enforceBytes, enforceAge, dropOldest };
}

/** Two drops as one report. */
export function mergeDrops(into: DropReport | null, next: DropReport): DropReport {
  if (into === null) return next;
  return {
    reason: next.reason,
    dropped: into.dropped + next.dropped,
    ranges: [...into.ranges, ...next.ranges],
    gapSeqs: [...into.gapSeqs, ...next.gapSeqs],
    bytes: into.bytes + next.bytes,
  };
}
