import type Database from "better-sqlite3";
import type { TimelineSource } from "../../counts/count-sources.js";
import {
  CHUNK_ENTRIES,
  type Chunk,
  countIn,
  cutChunks,
  decodeEntries,
  type Entries,
  encodeEntries,
  mergeEntries,
  NO_ENTRIES,
  normalize,
  sumOf,
} from "./count-chunks.js";

/** An event's position: its count time, then its (gateway, seq) to order events at the same time. */
export interface TimelineKey {
  t: number;
  gateway: string;
  seq: number;
}

/**
 * Adds `delta` to the count from time `t` on. The chunks need only (t, delta); the key stays so
 * both stores take the same ops.
 */
export interface TimelineOp extends TimelineKey {
  delta: number;
}

export interface TimelineStream {
  site: string;
  space: string;
  source: TimelineSource;
}

export interface TimelineChange {
  /** The stream's total before and after the ops: its current raw count. */
  before: number;
  after: number;
}

/**
 * One count history per stream, stored as chunks (`count_chunks`): each row holds up to
 * CHUNK_ENTRIES (t, delta) entries and `base`, the count before them, so the count at T is one
 * seek for the last chunk starting at or before T plus a sum within it, and a batch rewrites one
 * row per stream instead of writing one per event (issue 5). Entries at the same time are merged,
 * so the answers are the same whatever order events came in, though the cut into chunks may not be.
 */
export interface CountTimeline {
  /** Applies ops (any order; same-time ops add up) inside the caller's transaction. */
  apply(stream: TimelineStream, ops: readonly TimelineOp[]): TimelineChange;
  cumAt(stream: TimelineStream, atMs: number): number;
}

interface ChunkRow {
  t_start: number;
  base: number;
  entries: Buffer;
}

interface LoadedChunk extends Chunk {
  /** False for the empty chunk a stream's first ops start from: there is no row to replace. */
  stored: boolean;
}

const WHERE_STREAM = "site = ? AND space = ? AND source = ?";
const COLUMNS = "t_start, base, entries";

/** `chunkSize` is CHUNK_ENTRIES but in tests, which cut small chunks to exercise the splits. */
export function createCountTimeline(db: Database.Database, chunkSize = CHUNK_ENTRIES): CountTimeline {
  const last = db.prepare(
    `SELECT ${COLUMNS} FROM count_chunks WHERE ${WHERE_STREAM} ORDER BY t_start DESC LIMIT 1`,
  );
  const first = db.prepare(
    `SELECT ${COLUMNS} FROM count_chunks WHERE ${WHERE_STREAM} ORDER BY t_start LIMIT 1`,
  );
  const holding = db.prepare(
    `SELECT ${COLUMNS} FROM count_chunks WHERE ${WHERE_STREAM} AND t_start <= ? ORDER BY t_start DESC LIMIT 1`,
  );
  const nextStart = db
    .prepare(
      `SELECT t_start FROM count_chunks WHERE ${WHERE_STREAM} AND t_start > ? ORDER BY t_start LIMIT 1`,
    )
    .pluck();
  const rewrite = db.prepare(
    `UPDATE count_chunks SET base = ?, entries = ? WHERE ${WHERE_STREAM} AND t_start = ?`,
  );
  const insert = db.prepare(
    "INSERT INTO count_chunks (site, space, source, t_start, base, entries) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const remove = db.prepare(`DELETE FROM count_chunks WHERE ${WHERE_STREAM} AND t_start = ?`);
  const shiftFrom = db.prepare(
    `UPDATE count_chunks SET base = base + ? WHERE ${WHERE_STREAM} AND t_start >= ?`,
  );
  const shiftBetween = db.prepare(
    `UPDATE count_chunks SET base = base + ? WHERE ${WHERE_STREAM} AND t_start >= ? AND t_start < ?`,
  );

  const load = (row: ChunkRow): LoadedChunk => ({
    start: row.t_start,
    base: row.base,
    entries: decodeEntries(row.entries),
    stored: true,
  });

  /** Writes the chunk with `ops` merged in and `shift` added to its base; cut when it overflows. */
  const store = (
    stream: TimelineStream,
    chunk: LoadedChunk,
    ops: Entries,
    shift: number,
    isLast: boolean,
  ) => {
    const { site, space, source } = stream;
    const entries = mergeEntries(chunk.entries, ops);
    const pieces = cutChunks(chunk.start, chunk.base + shift, entries, isLast, chunkSize);
    const only = pieces[0];
    if (chunk.stored && pieces.length === 1 && only?.start === chunk.start) {
      rewrite.run(only.base, encodeEntries(only.entries), site, space, source, chunk.start);
      return;
    }
    if (chunk.stored) remove.run(site, space, source, chunk.start);
    for (const piece of pieces) {
      insert.run(site, space, source, piece.start, piece.base, encodeEntries(piece.entries));
    }
  };

  return {
    apply(stream, ops) {
      const { site, space, source } = stream;
      const sorted = normalize(ops);
      const lastRow = last.get(site, space, source) as ChunkRow | undefined;
      const tail: LoadedChunk =
        lastRow === undefined
          ? { start: sorted[0] ?? 0, base: 0, entries: NO_ENTRIES, stored: false }
          : load(lastRow);
      const before = tail.base + sumOf(tail.entries);
      if (sorted.length === 0) return { before, after: before };
      // Late ops, chunk by chunk in time order, with the running sum of their deltas (`prefix`):
      // the chunks between two touched ones move by the prefix so far, each at most once.
      let prefix = 0;
      let untouchedFrom: number | undefined;
      let i = 0;
      while (i < sorted.length && tail.stored && (sorted[i] as number) < tail.start) {
        const t = sorted[i] as number;
        const row = (holding.get(site, space, source, t) ?? first.get(site, space, source)) as ChunkRow;
        if (row.t_start === tail.start) break;
        if (untouchedFrom !== undefined && prefix !== 0) {
          shiftBetween.run(prefix, site, space, source, untouchedFrom, row.t_start);
        }
        const next = nextStart.get(site, space, source, row.t_start) as number;
        let end = i;
        while (end < sorted.length && (sorted[end] as number) < next) end += 2;
        const group = sorted.subarray(i, end);
        store(stream, load(row), group, prefix, false);
        prefix += sumOf(group);
        untouchedFrom = next;
        i = end;
      }
      if (i < sorted.length) {
        if (untouchedFrom !== undefined && prefix !== 0) {
          shiftBetween.run(prefix, site, space, source, untouchedFrom, tail.start);
        }
        const rest = sorted.subarray(i);
        store(stream, tail, rest, prefix, true);
        prefix += sumOf(rest);
      } else if (untouchedFrom !== undefined && prefix !== 0) {
        shiftFrom.run(prefix, site, space, source, untouchedFrom);
      }
      return { before, after: before + prefix };
    },
    cumAt(stream, atMs) {
      const row = holding.get(stream.site, stream.space, stream.source, atMs) as ChunkRow | undefined;
      return row === undefined ? 0 : countIn(row.base, decodeEntries(row.entries), atMs);
    },
  };
}

/** Orders keys as SQLite orders them (gateway ids are ASCII, so `<` matches BINARY). */
export function compareKeys(a: TimelineKey, b: TimelineKey): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.gateway !== b.gateway) return a.gateway < b.gateway ? -1 : 1;
  return a.seq - b.seq;
}
