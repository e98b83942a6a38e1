import {
  compareKeys,
  type TimelineChange,
  type TimelineKey,
  type TimelineOp,
  type TimelineStream,
} from "../sqlite/count-timeline.js";
import { one, query, run, type Sql } from "./sql.js";

/**
 * A running-sum timeline (as the SQLite store had before its chunks, sqlite/count-timeline.ts): each row holds
 * `cum`, the count just after it, so a count at T is one primary-key seek; ops apply in key order
 * and rows between two ops move once. Rows past a stream's tail, the usual case, are appended for
 * all streams in one statement. The caller holds the streams' site locks.
 */
export interface PgCountTimeline {
  /** Applies each stream's ops (any order; same-key ops add up); returns each stream's change. */
  apply(sql: Sql, batches: readonly StreamOps[]): Promise<TimelineChange[]>;
  cumAt(sql: Sql, stream: TimelineStream, atMs: number): Promise<number>;
}

export interface StreamOps {
  stream: TimelineStream;
  ops: readonly TimelineOp[];
}

const WHERE_STREAM = "site = $1 AND space = $2 AND source = $3";
const KEY = "(t, gateway, seq)";
const DESC = "ORDER BY t DESC, gateway DESC, seq DESC LIMIT 1";

// Every stream's last row in one statement: a batch touches a few dozen streams.
const TAILS = `
  SELECT s.i, last.t, last.gateway, last.seq, last.cum
  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS s(site, space, source, i)
  CROSS JOIN LATERAL (
    SELECT t, gateway, seq, cum FROM count_timeline c
    WHERE c.site = s.site AND c.space = s.space AND c.source = s.source ${DESC}
  ) AS last`;
const CUM_BEFORE = `SELECT cum FROM count_timeline WHERE ${WHERE_STREAM} AND ${KEY} < ($4, $5, $6) ${DESC}`;
const CUM_AT = `SELECT cum FROM count_timeline WHERE ${WHERE_STREAM} AND t <= $4 ${DESC}`;
const INSERT =
  "INSERT INTO count_timeline (site, space, source, t, gateway, seq, delta, cum) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const APPEND = `
  INSERT INTO count_timeline (site, space, source, t, gateway, seq, delta, cum)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[],
    $8::bigint[])`;
const ADJUST = `UPDATE count_timeline SET delta = delta + $7, cum = cum + $8
  WHERE ${WHERE_STREAM} AND t = $4 AND gateway = $5 AND seq = $6 RETURNING delta`;
const REMOVE = `DELETE FROM count_timeline WHERE ${WHERE_STREAM} AND t = $4 AND gateway = $5 AND seq = $6`;
const SHIFT_AFTER = `UPDATE count_timeline SET cum = cum + $7 WHERE ${WHERE_STREAM} AND ${KEY} > ($4, $5, $6)`;
const SHIFT_BETWEEN = `UPDATE count_timeline SET cum = cum + $7
  WHERE ${WHERE_STREAM} AND ${KEY} > ($4, $5, $6) AND ${KEY} < ($8, $9, $10)`;

interface TailRow extends TimelineKey {
  i: number;
  cum: number;
}

/** Rows to append, as the columns APPEND takes. */
type Columns = [string[], string[], string[], number[], string[], number[], number[], number[]];

export function createPgCountTimeline(): PgCountTimeline {
  /** One stream: late ops rewrite rows one by one (rare); ops past the tail go to `append`. */
  const applyOne = async (
    sql: Sql,
    { stream, ops }: StreamOps,
    tail: TailRow | undefined,
    append: Columns,
  ) => {
    const { site, space, source } = stream;
    const sorted = normalize(ops);
    const before = tail?.cum ?? 0;
    let prefix = 0;
    for (let i = 0; i < sorted.length; i++) {
      const op = sorted[i] as TimelineOp;
      const key = [site, space, source, op.t, op.gateway, op.seq];
      prefix += op.delta;
      if (tail === undefined || compareKeys(op, tail) > 0) {
        const row = [site, space, source, op.t, op.gateway, op.seq, op.delta, before + prefix] as const;
        for (const [column, value] of row.entries()) (append[column] as unknown[]).push(value);
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
    return { before, after: before + prefix };
  };

  return {
    async apply(sql, batches) {
      if (batches.length === 0) return [];
      const tails = new Map(
        (
          await query<TailRow>(sql, TAILS, [
            batches.map((b) => b.stream.site),
            batches.map((b) => b.stream.space),
            batches.map((b) => b.stream.source),
          ])
        ).map((row) => [row.i - 1, row]),
      );
      const append: Columns = [[], [], [], [], [], [], [], []];
      const changes: TimelineChange[] = [];
      for (const [i, batch] of batches.entries())
        changes.push(await applyOne(sql, batch, tails.get(i), append));
      if (append[0].length > 0) await run(sql, APPEND, append);
      return changes;
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
