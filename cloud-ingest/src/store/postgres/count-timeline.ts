import {
  compareKeys,
  type TimelineChange,
  type TimelineKey,
  type TimelineOp,
  type TimelineStream,
} from "../sqlite/count-timeline.js";
import { one, run, type Sql } from "./sql.js";

/**
 * The SQLite store's running-sum timeline (sqlite/count-timeline.ts) on PostgreSQL: each row holds
 * `cum`, the count just after it, so a count at T is one primary-key seek; ops apply in key order
 * and rows between two ops move once. The caller holds the stream's site lock.
 */
export interface PgCountTimeline {
  apply(sql: Sql, stream: TimelineStream, ops: readonly TimelineOp[]): Promise<TimelineChange>;
  cumAt(sql: Sql, stream: TimelineStream, atMs: number): Promise<number>;
}

const WHERE_STREAM = "site = $1 AND space = $2 AND source = $3";
const KEY = "(t, gateway, seq)";
const DESC = "ORDER BY t DESC, gateway DESC, seq DESC LIMIT 1";

const LAST = `SELECT t, gateway, seq, cum FROM count_timeline WHERE ${WHERE_STREAM} ${DESC}`;
const CUM_BEFORE = `SELECT cum FROM count_timeline WHERE ${WHERE_STREAM} AND ${KEY} < ($4, $5, $6) ${DESC}`;
const CUM_AT = `SELECT cum FROM count_timeline WHERE ${WHERE_STREAM} AND t <= $4 ${DESC}`;
const INSERT =
  "INSERT INTO count_timeline (site, space, source, t, gateway, seq, delta, cum) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const APPEND = `
  INSERT INTO count_timeline (site, space, source, t, gateway, seq, delta, cum)
  SELECT $1, $2, $3, t, gateway, seq, delta, cum
  FROM unnest($4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[]) AS op(t, gateway, seq, delta, cum)`;
const ADJUST = `UPDATE count_timeline SET delta = delta + $7, cum = cum + $8
  WHERE ${WHERE_STREAM} AND t = $4 AND gateway = $5 AND seq = $6 RETURNING delta`;
const REMOVE = `DELETE FROM count_timeline WHERE ${WHERE_STREAM} AND t = $4 AND gateway = $5 AND seq = $6`;
const SHIFT_AFTER = `UPDATE count_timeline SET cum = cum + $7 WHERE ${WHERE_STREAM} AND ${KEY} > ($4, $5, $6)`;
const SHIFT_BETWEEN = `UPDATE count_timeline SET cum = cum + $7
  WHERE ${WHERE_STREAM} AND ${KEY} > ($4, $5, $6) AND ${KEY} < ($8, $9, $10)`;

interface LastRow extends TimelineKey {
  cum: number;
}

export function createPgCountTimeline(): PgCountTimeline {
  return {
    async apply(sql, stream, ops) {
      const { site, space, source } = stream;
      const sorted = normalize(ops);
      const tail = await one<LastRow>(sql, LAST, [site, space, source]);
      const before = tail?.cum ?? 0;
      let prefix = 0;
      // Ops past the tail (the usual case: events arrive roughly in time order) go in one statement.
      const appended: { op: TimelineOp; cum: number }[] = [];
      for (let i = 0; i < sorted.length; i++) {
        const op = sorted[i] as TimelineOp;
        const key = [site, space, source, op.t, op.gateway, op.seq];
        prefix += op.delta;
        if (tail === undefined || compareKeys(op, tail) > 0) {
          appended.push({ op, cum: before + prefix });
          continue;
        }
        const adjusted = await one<{ delta: number }>(sql, ADJUST, [...key, op.delta, prefix]);
        if (adjusted === undefined) {
          const previous = (await one<{ cum: number }>(sql, CUM_BEFORE, key))?.cum ?? 0;
          await run(sql, INSERT, [...key, op.delta, previous + op.delta]);
        } else if (adjusted.delta === 0) {
          // A row that adds nothing goes, so the table is the same whatever order events came in.
          await run(sql, REMOVE, key);
        }
        const next = sorted[i + 1];
        if (next === undefined || compareKeys(next, tail) > 0) {
          await run(sql, SHIFT_AFTER, [...key, prefix]);
        } else {
          await run(sql, SHIFT_BETWEEN, [...key, prefix, next.t, next.gateway, next.seq]);
        }
      }
      if (appended.length > 0) {
        await run(sql, APPEND, [
          site,
          space,
          source,
          appended.map((a) => a.op.t),
          appended.map((a) => a.op.gateway),
          appended.map((a) => a.op.seq),
          appended.map((a) => a.op.delta),
          appended.map((a) => a.cum),
        ]);
      }
      return { before, after: before + prefix };
    },
    async cumAt(sql, stream, atMs) {
      return (
        (await one<{ cum: number }>(sql, CUM_AT, [stream.site, stream.space, stream.source, atMs]))?.cum ?? 0
      );
    },
  };
}

/** The ops in key order, those on the same key summed, those that add nothing dropped. */
function normalize(ops: readonly TimelineOp[]): TimelineOp[] {
  const merged: TimelineOp[] = [];
  for (const op of [...ops].sort(compareKeys)) {
    const previous = merged.at(-1);
    if (previous !== undefined && compareKeys(previous, op) === 0) {
      merged[merged.length - 1] = { ...previous, delta: previous.delta + op.delta };
    } else {
      merged.push(op);
    }
  }
  return merged.filter((op) => op.delta !== 0);
}
