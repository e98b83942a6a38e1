import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempDir, type TempDir } from "../../test-support/fixtures.js";
import {
  createEventBatches,
  type EventBatches,
  eventOf,
  SEQ_SPAN,
  type StoredEntry,
} from "./event-batches.js";
import { migrate } from "./migrations.js";
import { openDatabase } from "./open-database.js";

let dir: TempDir;
let db: Database.Database;
let batches: EventBatches;
beforeEach(() => {
  dir = createTempDir();
  db = openDatabase(dir.file("batches.db"));
  migrate(db);
  batches = createEventBatches(db);
});
afterEach(() => {
  db.close();
  dir.remove();
});

const entry = (seq: number, t = 1_000 + seq): StoredEntry => [
  seq,
  `id-${seq}`,
  "door.crossing",
  "mall-a",
  1_000 + seq,
  t,
  0,
  { door: "door-1", direction: 1 },
];
const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const rows = () => db.prepare("SELECT from_seq, to_seq, events FROM event_batches ORDER BY id").raw().all();

describe("events stored per batch", () => {
  it("stores a batch in one row and gives each of its events back by seq", () => {
    batches.append(
      "gw-1",
      seqs(1, 500).map((seq) => entry(seq)),
      42,
    );
    expect(rows()).toEqual([[1, 500, 500]]);
    const found = batches.get("gw-1", 321);
    expect(found?.receivedAt).toBe(42);
    expect(found && eventOf(found.entry)).toEqual({
      type: "door.crossing",
      id: "id-321",
      seq: 321,
      site: "mall-a",
      occurredAt: new Date(1_321).toISOString(),
      door: "door-1",
      direction: 1,
    });
    expect(batches.get("gw-1", 501)).toBeNull();
    expect(batches.get("gw-2", 321)).toBeNull();
  });

  it("cuts a batch whose seqs lie further apart than SEQ_SPAN, and still finds each", () => {
    const spread = [7, 1, SEQ_SPAN + 1, SEQ_SPAN * 3];
    batches.append(
      "gw-1",
      spread.map((seq) => entry(seq)),
      1,
    );
    expect(rows()).toEqual([
      [1, 7, 2],
      [SEQ_SPAN + 1, SEQ_SPAN + 1, 1],
      [SEQ_SPAN * 3, SEQ_SPAN * 3, 1],
    ]);
    for (const seq of spread) expect(batches.get("gw-1", seq)?.entry[0]).toBe(seq);
  });

  it("names the stored seqs a resend batched differently repeats, and none of a new batch", () => {
    batches.append(
      "gw-1",
      seqs(1, 500).map((seq) => entry(seq)),
      1,
    );
    batches.append(
      "gw-1",
      seqs(501, 1_000).map((seq) => entry(seq)),
      2,
    );
    const repeated = batches.storedIds("gw-1", seqs(250, 750));
    expect([...repeated.keys()]).toEqual(seqs(250, 750));
    expect(repeated.get(600)).toBe("id-600");
    expect(batches.storedIds("gw-1", seqs(1_001, 1_500)).size).toBe(0);
    expect(batches.storedIds("gw-2", seqs(1, 1_000)).size).toBe(0);
  });

  it("finds stored seqs among seqs far apart, in rows far apart, and nothing between them", () => {
    const far = [3, SEQ_SPAN * 10 + 7, SEQ_SPAN * 50];
    for (const seq of far)
      batches.append(
        "gw-1",
        seqs(seq, seq + 2).map((s) => entry(s)),
        1,
      );
    batches.append(
      "gw-1",
      seqs(SEQ_SPAN * 20, SEQ_SPAN * 20 + 499).map((s) => entry(s)),
      1,
    );
    const asked = [1, 4, SEQ_SPAN * 10 + 9, SEQ_SPAN * 20 + 499, SEQ_SPAN * 30, SEQ_SPAN * 50 + 3];
    expect([...batches.storedIds("gw-1", asked).keys()].sort((a, b) => a - b)).toEqual([
      4,
      SEQ_SPAN * 10 + 9,
      SEQ_SPAN * 20 + 499,
    ]);
  });

  it("reads a range in seq order across rows that interleave, up to the limit", () => {
    batches.append(
      "gw-1",
      [1, 3, 5, 7].map((seq) => entry(seq)),
      1,
    );
    // A resend that filled the holes later.
    batches.append(
      "gw-1",
      [2, 4, 6].map((seq) => entry(seq)),
      2,
    );
    batches.append(
      "gw-1",
      seqs(8, 20).map((seq) => entry(seq)),
      3,
    );
    expect(batches.range("gw-1", 2, 20, 5).map((found) => found.entry[0])).toEqual([2, 3, 4, 5, 6]);
    expect(batches.range("gw-1", 6, 9, 100).map((found) => found.entry[0])).toEqual([6, 7, 8, 9]);
    expect(batches.count("gw-1", 1, 10, (stored) => stored[0] % 2 === 0)).toBe(5);
  });

  it("re-times only the entries it is given, in the rows that hold them", () => {
    batches.append(
      "gw-1",
      seqs(1, 10).map((seq) => entry(seq)),
      1,
    );
    batches.append(
      "gw-1",
      seqs(11, 20).map((seq) => entry(seq)),
      1,
    );
    const moves = batches.range("gw-1", 9, 12, 10).map((located) => ({ located, t: 5 }));
    batches.retime(moves);
    const times = batches.range("gw-1", 1, 20, 20).map((found) => found.entry[5]);
    expect(times).toEqual(seqs(1, 20).map((seq) => (seq >= 9 && seq <= 12 ? 5 : 1_000 + seq)));
  });

  it("totals the events and those from unknown sources", () => {
    const unknown: StoredEntry = [3, "id-3", "door.crossing", "mall-a", 1_003, 1_003, 1, { door: "door-x" }];
    batches.append("gw-1", [entry(1), entry(2), unknown], 1);
    batches.append("gw-2", [entry(1)], 1);
    expect(batches.totals()).toEqual({ events: 4, unknownSource: 1 });
  });
});
