import type Database from "better-sqlite3";
import type { TimelineSource } from "../../counts/count-sources.js";

/** A row's position: event time, then the event's (gateway, seq) to order rows at the same time. */
export interface TimelineKey {
  t: number;
  gateway: string;
  seq: number;
}

/** Adds `delta` to the row at the key, creating the row when there is none. */
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
 * One running sum per stream: each row holds `cum`, the count just after it, so the count at T is
 * the `cum` of the last row at or before T — one primary-key seek.
 */
export interface CountTimeline {
  /** Applies ops (any order; same-key ops add up) inside the caller's transaction. */
  apply(stream: TimelineStream, ops: readonly TimelineOp[]): TimelineChange;
  cumAt(stream: TimelineStream, atMs: number): number;
}

interface LastRow extends TimelineKey {
  cum: number;
}

const WHERE_STREAM = "site = ? AND space = ? AND source = ?";
const WHERE_KEY = `${WHERE_STREAM} AND t = ? AND gateway = ? AND seq = ?`;
const DESC = "ORDER BY t DESC, gateway DESC, seq DESC LIMIT 1";

export function createCountTimeline(db: Database.Database): CountTimeline {
  const last = db.prepare(`SELECT t, gateway, seq, cum FROM count_timeline WHERE ${WHERE_STREAM} ${DESC}`);
  const cumBefore = db
    .prepare(`SELECT cum FROM count_timeline WHERE ${WHERE_STREAM} AND (t, gateway, seq) < (?, ?, ?) ${DESC}`)
    .pluck();
  const cumAt = db.prepare(`SELECT cum FROM count_timeline WHERE ${WHERE_STREAM} AND t <= ? ${DESC}`).pluck();
  const insert = db.prepare(
    "INSERT INTO count_timeline (site, space, source, t, gateway, seq, delta, cum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const adjust = db
    .prepare(`UPDATE count_timeline SET delta = delta + ?, cum = cum + ? WHERE ${WHERE_KEY} RETURNING delta`)
    .pluck();
  const remove = db.prepare(`DELETE FROM count_timeline WHERE ${WHERE_KEY}`);
  const shiftAfter = db.prepare(
    `UPDATE count_timeline SET cum = cum + ? WHERE ${WHERE_STREAM} AND (t, gateway, seq) > (?, ?, ?)`,
  );
  const shiftBetween = db.prepare(
    `UPDATE count_timeline SET cum = cum + ?
     WHERE ${WHERE_STREAM} AND (t, gateway, seq) > (?, ?, ?) AND (t, gateway, seq) < (?, ?, ?)`,
  );

  return {
    apply(stream, ops) {
      const { site, space, source } = stream;
      const sorted = normalize(ops);
      const tail = last.get(site, space, source) as LastRow | undefined;
      const before = tail?.cum ?? 0;
      // Walk the ops in time order with the running sum of their deltas (`prefix`). Rows between
      // two late ops move by the prefix so far, so each existing row is rewritten at most once.
      let prefix = 0;
      for (let i = 0; i < sorted.length; i++) {
        const op = sorted[i] as TimelineOp;
        const { t, gateway, seq } = op;
        prefix += op.delta;
        if (tail === undefined || compareKeys(op, tail) > 0) {
          insert.run(site, space, source, t, gateway, seq, op.delta, before + prefix);
          continue;
        }
        const delta = adjust.get(op.delta, prefix, site, space, source, t, gateway, seq) as
          | number
          | undefined;
        if (delta === undefined) {
          const previous = (cumBefore.get(site, space, source, t, gateway, seq) as number | undefined) ?? 0;
          insert.run(site, space, source, t, gateway, seq, op.delta, previous + op.delta);
        } else if (delta === 0) {
          // A row that adds nothing goes, so the table is the same whatever order events came in.
          remove.run(site, space, source, t, gateway, seq);
        }
        const next = sorted[i + 1];
        if (next === undefined || compareKeys(next, tail) > 0) {
          shiftAfter.run(prefix, site, space, source, t, gateway, seq);
        } else {
          shiftBetween.run(prefix, site, space, source, t, gateway, seq, next.t, next.gateway, next.seq);
        }
      }
      return { before, after: before + prefix };
    },
    cumAt(stream, atMs) {
      return (cumAt.get(stream.site, stream.space, stream.source, atMs) as number | undefined) ?? 0;
    },
  };
}

/** Orders keys as SQLite orders the primary key (gateway ids are ASCII, so `<` matches BINARY). */
export function compareKeys(a: TimelineKey, b: TimelineKey): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.gateway !== b.gateway) return a.gateway < b.gateway ? -1 : 1;
  return a.seq - b.seq;
}

/** The ops in key order, those on the same key summed, those that add nothing dropped. */
function normalize(ops: readonly TimelineOp[]): TimelineOp[] {
  const sorted = [...ops].sort(compareKeys);
  const merged: TimelineOp[] = [];
  for (const op of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && compareKeys(previous, op) === 0) {
      merged[merged.length - 1] = { ...previous, delta: previous.delta + op.delta };
    } else {
      merged.push(op);
    }
  }
  return merged.filter((op) => op.delta !== 0);
}
