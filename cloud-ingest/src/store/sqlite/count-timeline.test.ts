import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEntries } from "./count-chunks.js";
import { createCountTimeline, type TimelineOp, type TimelineStream } from "./count-timeline.js";
import { migrate } from "./migrations.js";
import { countStepsOf } from "./test-support/count-steps.js";

const STREAM: TimelineStream = { site: "campus", space: "garage", source: "flow" };
const OTHER: TimelineStream = { site: "campus", space: "yard", source: "flow" };
const TIMES = 40;

const opsArb = fc.array(
  fc.record({
    t: fc.integer({ min: 0, max: TIMES - 1 }),
    gateway: fc.constantFrom("gw-a", "gw-b"),
    seq: fc.nat(1000),
    delta: fc.integer({ min: -3, max: 3 }),
  }),
  { maxLength: 80 },
);

const deliveryArb = opsArb.chain((ops) =>
  fc.record({
    ops: fc.constant(ops),
    order: fc.shuffledSubarray(ops, { minLength: ops.length, maxLength: ops.length }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
    chunkSize: fc.integer({ min: 1, max: 5 }),
  }),
);

const sumUpTo = (ops: readonly TimelineOp[], atMs: number) =>
  ops.filter((op) => op.t <= atMs).reduce((sum, op) => sum + op.delta, 0);

function openTimeline(chunkSize: number) {
  const db = new Database(":memory:");
  migrate(db);
  return { db, timeline: createCountTimeline(db, chunkSize) };
}

interface ChunkRow {
  t_start: number;
  base: number;
  entries: Buffer;
}

describe("chunked count timeline", () => {
  it("answers the brute-force sum at every time, whatever the order, batching and chunk size", () => {
    fc.assert(
      fc.property(deliveryArb, ({ ops, order, batchSizes, chunkSize }) => {
        const { db, timeline } = openTimeline(chunkSize);
        try {
          const applied: TimelineOp[] = [];
          for (let i = 0, b = 0; i < order.length; b++) {
            const batch = order.slice(i, i + (batchSizes[b % batchSizes.length] ?? 1));
            i += batch.length;
            // Another stream in the same table must neither move nor be moved.
            timeline.apply(OTHER, [{ t: 20, gateway: "gw-a", seq: i, delta: 1 }]);
            const change = timeline.apply(STREAM, batch);
            expect(change.before).toBe(sumUpTo(applied, Number.POSITIVE_INFINITY));
            applied.push(...batch);
            expect(change.after).toBe(sumUpTo(applied, Number.POSITIVE_INFINITY));
          }
          for (let t = -1; t <= TIMES; t++) {
            expect(timeline.cumAt(STREAM, t), `at ${t}`).toBe(sumUpTo(ops, t));
          }
          const rows = db
            .prepare(
              "SELECT t_start, base, entries FROM count_chunks WHERE space = 'garage' ORDER BY t_start",
            )
            .all() as ChunkRow[];
          // Each chunk holds the entries from its start up to the next one's, its base all before.
          let count = 0;
          rows.forEach((row, i) => {
            const entries = decodeEntries(row.entries);
            const end = rows[i + 1]?.t_start ?? Number.POSITIVE_INFINITY;
            expect(entries.length / 2).toBeLessThanOrEqual(chunkSize);
            expect(row.base).toBe(count);
            for (let e = 0; e < entries.length; e += 2) {
              expect(entries[e]).toBeGreaterThanOrEqual(row.t_start);
              expect(entries[e]).toBeLessThan(end);
              count += entries[e + 1] as number;
            }
          });
          const changes = [...new Set(ops.map((op) => op.t))].sort((a, b) => a - b);
          const expected = changes
            .filter((t) => sumUpTo(ops, t) !== sumUpTo(ops, t - 1))
            .map((t) => [t, sumUpTo(ops, t)]);
          expect(countStepsOf(db)["campus/garage/flow"] ?? []).toEqual(expected);
        } finally {
          db.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("splits a full chunk a late op lands in, and moves the bases of every later chunk", () => {
    const { db, timeline } = openTimeline(2);
    try {
      const op = (t: number, delta: number) => ({ t, gateway: "gw-a", seq: t, delta });
      timeline.apply(STREAM, [op(10, 1), op(20, 1), op(30, 1), op(40, 1), op(50, 1)]);
      expect(timeline.apply(STREAM, [op(5, 2), op(35, -1)])).toEqual({ before: 5, after: 6 });
      const bases = db.prepare("SELECT t_start, base FROM count_chunks ORDER BY t_start").all();
      expect(bases).toEqual([
        { t_start: 5, base: 0 },
        { t_start: 20, base: 3 },
        { t_start: 30, base: 4 },
        { t_start: 40, base: 4 },
        { t_start: 50, base: 5 },
      ]);
      expect([4, 5, 10, 34, 35, 49, 50].map((t) => timeline.cumAt(STREAM, t))).toEqual([0, 2, 3, 5, 4, 5, 6]);
    } finally {
      db.close();
    }
  });
});
