import type Database from "better-sqlite3";
import type { CountTime } from "../../counts/count-time.js";

/**
 * A run of a gateway's consecutive seqs whose stored times were all derived from one anchor of one
 * boot (`boot`, `base`) and one wall clock reading (`wall`): what re-timing needs to find and derive
 * them again. Events with a final time (`CountTime.boot` null) are in no span.
 */
export interface ClockSpan {
  boot: string;
  base: number | null;
  wall: number | null;
  from: number;
  to: number;
}

/** Collects stored events, in seq order, into spans: a seq not following the last one starts a new one. */
export interface SpanRuns {
  add(seq: number, time: CountTime): void;
  readonly runs: ClockSpan[];
}

export function createSpanRuns(): SpanRuns {
  const runs: ClockSpan[] = [];
  let last: ClockSpan | undefined;
  return {
    runs,
    add(seq, time) {
      if (time.boot === null) return;
      if (
        last !== undefined &&
        last.to === seq - 1 &&
        last.boot === time.boot &&
        last.base === time.base &&
        last.wall === time.wallBase
      ) {
        last.to = seq;
        return;
      }
      last = { boot: time.boot, base: time.base, wall: time.wallBase, from: seq, to: seq };
      runs.push(last);
    },
  };
}

/**
 * The clock_spans table (migration 12): one row per batch and clock, not an index entry per event.
 * Spans of one gateway never overlap, and each covers existing events only, so the events in its
 * seq range are exactly the span's.
 */
export interface ClockSpanTable {
  /** Stores a span, extending the one of the same clock that ends right before it. */
  add(gateway: string, span: ClockSpan): void;
  /** The boot's spans whose base is unknown or above `staleAbove`, by seq. */
  stale(gateway: string, boot: string, staleAbove: number): ClockSpan[];
  remove(gateway: string, span: ClockSpan): void;
}

interface SpanRow {
  boot_id: string;
  from_seq: number;
  to_seq: number;
  base: number | null;
  wall: number | null;
}

export function createClockSpanTable(db: Database.Database): ClockSpanTable {
  const extend = db.prepare(`
    UPDATE clock_spans SET to_seq = @to
    WHERE gateway = @gateway AND boot_id = @boot AND to_seq = @from - 1 AND base IS @base AND wall IS @wall`);
  const insert = db.prepare(`
    INSERT INTO clock_spans (gateway, boot_id, from_seq, to_seq, base, wall)
    VALUES (@gateway, @boot, @from, @to, @base, @wall)`);
  const stale = db.prepare(`
    SELECT boot_id, from_seq, to_seq, base, wall FROM clock_spans
    WHERE gateway = ? AND boot_id = ? AND (base IS NULL OR base > ?) ORDER BY from_seq`);
  const remove = db.prepare("DELETE FROM clock_spans WHERE gateway = ? AND boot_id = ? AND from_seq = ?");

  return {
    add(gateway, span) {
      const params = { gateway, ...span };
      if (extend.run(params).changes === 0) insert.run(params);
    },
    stale(gateway, boot, staleAbove) {
      return (stale.all(gateway, boot, staleAbove) as SpanRow[]).map((row) => ({
        boot: row.boot_id,
        base: row.base,
        wall: row.wall,
        from: row.from_seq,
        to: row.to_seq,
      }));
    },
    remove(gateway, span) {
      remove.run(gateway, span.boot, span.from);
    },
  };
}
